//! Shared passages + dates + credits → a directed lineage graph, parent → child.
//!
//! The graph is built in four steps, each in its own module:
//!
//! 1. **Direction of each pair** ([`direction`]): dates that are apart, then credits, then
//!    outlets that act as wires in this corpus, then truncation. Dates within the tie
//!    window do not decide alone; with no evidence the edge is *undetermined*
//!    (`directed: false`), kept (the two share text and belong to one family) but drawn
//!    without an arrowhead and not counted where a direction matters (which outlets are
//!    copied, which outlet is most cited). Its endpoints are stored longer text first,
//!    only to keep output stable.
//! 2. **Siblings are not parents** ([`siblings`]): a pair whose shared text a third
//!    document holds too, so that neither carries the other's own edits, is related
//!    through that document, and its direct link is dropped. Decided directions then run
//!    along the paths found, so a repost of a repost points at the repost even when the
//!    two are dated alike.
//! 3. **Unseen sources** ([`inferred`]): copies that credit the same absent outlet and
//!    carry none of each other's edits point at an *inferred source* node that stands
//!    for the missing story (`"inferred": true`), with its text reconstructed from them.
//! 4. **One parent per copy**: each document keeps as parent the candidate that explains
//!    most of its own text — the most of its k-grams, among candidates whose direction is
//!    decided before the undetermined ones — so a repost of a repost, which shares the
//!    first repost's edits, points at that repost rather than at the original. Ties go to
//!    the more complete text, then the earlier. A further candidate is kept as a second
//!    parent only when it explains at least `min_words` words that the first did not (a
//!    digest quoting two wires): words of its passages outside the chosen parents'
//!    passages or, when more, the child's k-grams it holds that no chosen parent holds (a
//!    passage bridged over long gaps spans text it does not share). Any cycle left by
//!    conflicting cues is broken at its weakest edge.
//!
//! Edges are classified: `verbatim` (same text once boilerplate is removed),
//! `near-duplicate` (each covers ≥ 80 % of the other), `truncated` (the child is a prefix
//! of the parent), `extended` (the child contains all of the parent and adds to it) and
//! `excerpt` (anything partial).
//!
//! **Families are stories**: connected groups of documents joined by edges. Passages that
//! are formulas — wire templates, stock phrases ([`crate::formula`]) — are no edges, so
//! they chain no unrelated stories together.

pub mod direction;
pub mod inferred;
pub mod siblings;

use std::borrow::Cow;
use std::fmt;

use ahash::{AHashMap, AHashSet};
use petgraph::algo::kosaraju_scc;
use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use petgraph::unionfind::UnionFind;
use petgraph::visit::EdgeRef;
use serde::Serialize;

use crate::corpus::Document;
use crate::formula::TemplateSpan;
use crate::matching::Method;
use crate::passage::SharedSpan;
use crate::shingle::ShingleSet;
pub use direction::{Cue, Orientation, WireStats, credits, same_outlet};
use direction::{Cues, starts_at_start_of};
use siblings::{PairIndex, count_in, intersection};

/// What kind of copy an edge is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EdgeKind {
    /// Same content once boilerplate is removed.
    Verbatim,
    /// Each covers most of the other.
    NearDuplicate,
    /// The child is the parent cut short.
    Truncated,
    /// The child holds all of the parent and adds to it.
    Extended,
    /// The child holds part of the parent.
    Excerpt,
    /// The child rewrote the parent: reworded, reordered or shortened, found on content
    /// words sentence by sentence ([`crate::paraphrase`]), not on shared word runs.
    Rewritten,
}

impl fmt::Display for EdgeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EdgeKind::Verbatim => "verbatim",
            EdgeKind::NearDuplicate => "near-duplicate",
            EdgeKind::Truncated => "truncated",
            EdgeKind::Extended => "extended",
            EdgeKind::Excerpt => "excerpt",
            EdgeKind::Rewritten => "rewritten",
        })
    }
}

/// What two documents share, measured on their non-boilerplate content.
#[derive(Debug, Clone, PartialEq)]
pub struct PairEvidence {
    /// First document (input index, `a < b`).
    pub a: u32,
    /// Second document.
    pub b: u32,
    /// Shared passages located in both texts, in A's order.
    pub spans: Vec<SharedSpan>,
    /// Content k-grams of A.
    pub a_shingles: usize,
    /// Content k-grams of B.
    pub b_shingles: usize,
    /// Content k-grams in both.
    pub shared_shingles: usize,
    /// Whether whole-document LSH proposed the pair (else only the passage index did).
    pub from_lsh: bool,
    /// Whether the spans were found by the paraphrase path ([`crate::paraphrase`]: sentence
    /// alignment on content words; the pair shares no verbatim passage).
    pub paraphrase: bool,
    /// Passages that are formulas rather than reuse (see [`crate::formula`]): listed by
    /// `passages`, never lineage evidence.
    pub templates: Vec<TemplateSpan>,
}

impl PairEvidence {
    /// Exact Jaccard of the content k-gram sets.
    pub fn jaccard(&self) -> f64 {
        let union = self.a_shingles + self.b_shingles - self.shared_shingles;
        if union == 0 {
            0.0
        } else {
            self.shared_shingles as f64 / union as f64
        }
    }

    /// How the pair was found.
    pub fn method(&self) -> Method {
        if self.paraphrase {
            Method::Paraphrase
        } else {
            Method::aligned(self.from_lsh)
        }
    }

    fn share_of(&self, doc: u32) -> f64 {
        let own = if doc == self.a {
            self.a_shingles
        } else {
            self.b_shingles
        };
        if own == 0 {
            0.0
        } else {
            self.shared_shingles as f64 / own as f64
        }
    }
}

/// A shared span seen from the edge: parent side and child side.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EdgeSpan {
    /// Character offsets in the parent's text.
    pub parent_chars: (usize, usize),
    /// Character offsets in the child's text.
    pub child_chars: (usize, usize),
    /// Index of the passage's first word among the parent's content words.
    pub parent_first_word: usize,
    /// Words of the passage in the parent.
    pub parent_words: usize,
    /// Words of the passage in the child.
    pub child_words: usize,
    /// Share of the passage matched word for word.
    pub similarity: f64,
}

/// Parent → child evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineageEdge {
    /// Input index of the parent.
    pub parent: u32,
    /// Input index of the child.
    pub child: u32,
    /// What kind of copy.
    pub kind: EdgeKind,
    /// Exact Jaccard of the two content k-gram sets.
    pub similarity: f64,
    /// Share of the child's content k-grams found in the parent.
    pub containment: f64,
    /// Share of the parent's content k-grams found in the child.
    pub parent_coverage: f64,
    /// Shared passages.
    pub spans: Vec<EdgeSpan>,
    /// Child date minus parent date, in seconds, when both are dated.
    pub time_lag_seconds: Option<i64>,
    /// Why this direction.
    pub reason: String,
    /// How the pair was found; [`Method::InferredSource`] for an edge from an inferred
    /// source.
    pub method: Method,
    /// Whether evidence (date, credit, containment) decides the direction; `false`: the
    /// two share text but which copied which is unknown.
    pub directed: bool,
}

/// A source that the copies point to but the corpus lacks (see [`inferred`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InferredSource {
    /// An id no document of the corpus has (`inferred:xinhua:0`).
    pub id: String,
    /// The outlet its copies credit.
    pub outlet: Option<String>,
    /// The earliest child's date, as given: an upper bound on the source's own.
    pub date: Option<String>,
    /// The shared text reconstructed from its copies (pieces joined by ` … `).
    pub text: String,
    /// Why it was inferred.
    pub evidence: String,
    /// The copies it was inferred from (input indices).
    pub children: Vec<u32>,
    /// Content k-grams of the reconstruction.
    pub shingles: usize,
}

/// The lineage graph: nodes are input indices of documents with at least one edge, and
/// inferred sources, numbered from [`Lineage::first_inferred`] on.
#[derive(Debug, Clone, Default)]
pub struct Lineage {
    /// Parent → child graph; node weights are input indices (or inferred source numbers).
    pub graph: DiGraph<u32, LineageEdge>,
    /// Family (weakly connected component) of each node, by node index.
    pub family: Vec<usize>,
    /// Number of families.
    pub families: usize,
    /// Unseen sources; node `first_inferred + k` is `inferred[k]`.
    pub inferred: Vec<InferredSource>,
    /// The number of documents of the corpus: node weights from here on are inferred.
    pub first_inferred: u32,
}

/// One node of the graph, document or inferred source, as exports show it.
#[derive(Debug, Clone, Copy)]
pub struct NodeView<'a> {
    /// Document id, or the inferred source's id.
    pub id: &'a str,
    /// Outlet (for an inferred source: the credited one).
    pub source: Option<&'a str>,
    /// Date as given (for an inferred source: an upper bound).
    pub date: Option<&'a str>,
    /// Headline.
    pub title: Option<&'a str>,
    /// Address.
    pub url: Option<&'a str>,
    /// Text (for an inferred source: reconstructed).
    pub text: &'a str,
    /// The inferred source, when the node is one.
    pub inferred: Option<&'a InferredSource>,
}

impl Lineage {
    /// The inferred source a node weight stands for, if it is one.
    pub fn inferred_source(&self, node: u32) -> Option<&InferredSource> {
        node.checked_sub(self.first_inferred)
            .and_then(|k| self.inferred.get(k as usize))
    }

    /// A node weight's id, text and metadata, whether a document or an inferred source.
    pub fn node<'a>(&'a self, docs: &'a [Document], node: u32) -> NodeView<'a> {
        match self.inferred_source(node) {
            Some(s) => NodeView {
                id: &s.id,
                source: s.outlet.as_deref(),
                date: s.date.as_deref(),
                title: None,
                url: None,
                text: &s.text,
                inferred: Some(s),
            },
            None => {
                let d = &docs[node as usize];
                NodeView {
                    id: &d.id,
                    source: d.source.as_deref(),
                    date: d.date.as_deref(),
                    title: d.title.as_deref(),
                    url: d.url.as_deref(),
                    text: &d.text,
                    inferred: None,
                }
            }
        }
    }

    /// Edges in a stable order (family, then parent and child input order).
    pub fn edges(&self) -> Vec<&LineageEdge> {
        let mut e: Vec<&LineageEdge> = self.graph.edge_weights().collect();
        e.sort_by_key(|e| (e.parent, e.child));
        e
    }

    /// Members of each family (input indices, ascending).
    pub fn family_members(&self) -> Vec<Vec<u32>> {
        let mut out = vec![Vec::new(); self.families];
        for n in self.graph.node_indices() {
            out[self.family[n.index()]].push(self.graph[n]);
        }
        for m in &mut out {
            m.sort_unstable();
        }
        out
    }
}

fn classify(e: &PairEvidence, parent: u32, child: u32) -> EdgeKind {
    let child_in_parent = e.share_of(child);
    let parent_in_child = e.share_of(parent);
    let starts_at_parent_start = starts_at_start_of(e, parent);
    if e.paraphrase {
        EdgeKind::Rewritten
    } else if e.shared_shingles > 0 && child_in_parent >= 0.999 && parent_in_child >= 0.999 {
        EdgeKind::Verbatim
    } else if child_in_parent >= 0.8 && parent_in_child >= 0.8 {
        EdgeKind::NearDuplicate
    } else if child_in_parent >= 0.9 && starts_at_parent_start {
        EdgeKind::Truncated
    } else if parent_in_child >= 0.9 {
        EdgeKind::Extended
    } else {
        EdgeKind::Excerpt
    }
}

fn orient(e: &PairEvidence, parent: u32) -> Vec<EdgeSpan> {
    e.spans
        .iter()
        .map(|s| {
            let (p, c, pw, cw, pf) = if parent == e.a {
                (s.a_chars, s.b_chars, s.a_words, s.b_words, s.a_first_word)
            } else {
                (s.b_chars, s.a_chars, s.b_words, s.a_words, s.b_first_word)
            };
            EdgeSpan {
                parent_first_word: pf,
                parent_chars: p,
                child_chars: c,
                parent_words: pw,
                child_words: cw,
                similarity: s.similarity,
            }
        })
        .collect()
}

/// A document's non-boilerplate content, as lineage needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ContentStats {
    /// Number of content words (more words: a more complete copy).
    pub words: usize,
}

/// Parameters of lineage building.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LineageConfig {
    /// Words a second parent must explain beyond the first.
    pub min_words: usize,
    /// Timestamps that both give their UTC offset (or come from one outlet) and are closer
    /// than this, in seconds, do not decide a direction alone.
    pub tie_window_seconds: i64,
    /// The same for local times without an offset from two outlets, which may be hours
    /// apart across time zones. Dates given to the day only tie within the same day.
    pub local_tie_window_seconds: i64,
    /// Copies of one story from three or more outlets published within this many seconds
    /// of each other, crediting no one and with no source in the corpus, are taken for
    /// siblings of an unseen story (the news cycle of a wire story's reposts).
    pub copy_window_seconds: i64,
}

impl Default for LineageConfig {
    /// Fifteen minutes (a feed republishes at once), twelve hours for local times, three
    /// days for copies of an unseen story.
    fn default() -> Self {
        LineageConfig {
            min_words: 20,
            tie_window_seconds: 15 * 60,
            local_tie_window_seconds: 12 * 3600,
            copy_window_seconds: 3 * 86_400,
        }
    }
}

/// Which of a pair is the source, as [`build`] decides it from the pair alone (no wires
/// learned, no third document).
pub fn orient_pair(docs: &[Document], e: &PairEvidence) -> Orientation {
    Cues::learn(docs, std::slice::from_ref(e), &LineageConfig::default()).direction(e)
}

/// [`orient_pair`] with the two documents' credits read beforehand: `docs` then need no
/// text (an article queried against many stored documents is read once).
pub fn orient_pair_with(
    docs: &[Document],
    e: &PairEvidence,
    credits: [direction::TextCredits; 2],
) -> Orientation {
    Cues::with_credits(
        docs,
        std::slice::from_ref(e),
        &LineageConfig::default(),
        credits.into(),
    )
    .direction(e)
}

/// A possible parent of one child.
struct Candidate {
    edge: LineageEdge,
    /// Content k-grams of the child the parent holds.
    shared: usize,
    /// Content words of the parent.
    parent_words: usize,
    /// The parent's timestamp.
    parent_time: i64,
}

fn pair_candidate(
    docs: &[Document],
    content: &[ContentStats],
    e: &PairEvidence,
    o: Orientation,
) -> Candidate {
    let (parent, child) = (o.parent, o.child);
    let (pd, cd) = (&docs[parent as usize], &docs[child as usize]);
    Candidate {
        shared: e.shared_shingles,
        parent_words: content[parent as usize].words,
        parent_time: pd.timestamp.unwrap_or(i64::MAX),
        edge: LineageEdge {
            parent,
            child,
            kind: classify(e, parent, child),
            similarity: e.jaccard(),
            containment: e.share_of(child),
            parent_coverage: e.share_of(parent),
            time_lag_seconds: pd.timestamp.zip(cd.timestamp).map(|(p, c)| c - p),
            spans: orient(e, parent),
            reason: o.reason,
            directed: o.directed,
            method: e.method(),
        },
    }
}

/// Builds the lineage graph from pair evidence; `content[i]` describes document i and
/// `shingles[i]` is its sorted set of content k-gram hashes (as the pairs were measured
/// on; an empty slice skips the tests that need them: siblings and shared edits).
pub fn build(
    docs: &[Document],
    pairs: &[PairEvidence],
    content: &[ContentStats],
    shingles: &[ShingleSet],
    config: &LineageConfig,
) -> Lineage {
    let pairs: Cow<[PairEvidence]> = if pairs.iter().all(|e| !e.spans.is_empty()) {
        Cow::Borrowed(pairs)
    } else {
        Cow::Owned(
            pairs
                .iter()
                .filter(|e| !e.spans.is_empty())
                .cloned()
                .collect(),
        )
    };
    let pairs = pairs.as_ref();
    let cues = Cues::learn(docs, pairs, config);
    let mut orientations: Vec<Orientation> = pairs.iter().map(|e| cues.direction(e)).collect();
    let index = PairIndex::new(pairs);
    let mediation = siblings::mediate(docs, pairs, &orientations, shingles, &index);
    // The outlets that mediation found to be the source of copies direct what is left.
    for (o, e) in orientations.iter_mut().zip(pairs) {
        if !o.directed
            && let Some(by_text) = direction::by_source_outlet(docs, &mediation.sources, e)
        {
            *o = by_text;
        }
    }
    siblings::propagate(docs, &mut orientations, &mediation, &index);
    let via = mediation.via;
    let groups = inferred::groups(&cues, pairs, &orientations, &via, shingles, &index);

    let mut dropped: Vec<bool> = via.iter().map(Option::is_some).collect();
    let mut by_child: AHashMap<u32, Vec<Candidate>> = AHashMap::new();
    let first_inferred = docs.len() as u32;
    let sources = if groups.iter().any(|g| !g.siblings.is_empty()) {
        let unseen = Unseen {
            docs,
            cues: &cues,
            pairs,
            shingles,
            index: &index,
        };
        unseen.infer_sources(&groups, &mut dropped, &mut by_child)
    } else {
        Vec::new()
    };
    for ((e, o), _) in pairs
        .iter()
        .zip(orientations)
        .zip(&dropped)
        .filter(|(_, d)| !**d)
    {
        let c = pair_candidate(docs, content, e, o);
        by_child.entry(c.edge.child).or_default().push(c);
    }
    let edges = choose_parents(by_child, shingles, config.min_words);
    into_graph(edges, sources, first_inferred)
}

/// What inferring the unseen sources of sibling groups needs.
struct Unseen<'a> {
    docs: &'a [Document],
    cues: &'a Cues<'a>,
    pairs: &'a [PairEvidence],
    shingles: &'a [ShingleSet],
    index: &'a PairIndex,
}

impl Unseen<'_> {
    /// An inferred source for each group of siblings, numbered after the documents: its
    /// edges join the candidates of their children, and the pairs it explains (the
    /// siblings' own and those with outside copies of it) are `dropped`.
    fn infer_sources(
        &self,
        groups: &[inferred::Group],
        dropped: &mut [bool],
        by_child: &mut AHashMap<u32, Vec<Candidate>>,
    ) -> Vec<InferredSource> {
        let first_inferred = self.docs.len() as u32;
        let taken: AHashSet<&str> = self.docs.iter().map(|d| d.id.as_str()).collect();
        let mut sources: Vec<InferredSource> = Vec::new();
        for group in groups.iter().filter(|g| !g.siblings.is_empty()) {
            for &pi in &group.siblings {
                dropped[pi] = true;
            }
            let node = first_inferred + sources.len() as u32;
            let id = inferred::unique_id(&group.outlet, sources.len(), &taken);
            let (source, edges, explained) = inferred::infer(
                group,
                node,
                id,
                self.cues,
                self.pairs,
                self.shingles,
                self.index,
            );
            for pi in explained {
                dropped[pi] = true;
            }
            for edge in edges {
                let shared = (edge.containment
                    * self
                        .shingles
                        .get(edge.child as usize)
                        .map_or(0, |s| s.len()) as f64)
                    .round() as usize;
                by_child.entry(edge.child).or_default().push(Candidate {
                    shared,
                    parent_words: usize::MAX,
                    parent_time: i64::MIN,
                    edge,
                });
            }
            sources.push(source);
        }
        sources
    }
}

/// Each child's parents among its candidates: the best first, then any other that
/// explains at least `min_words` words of the child that no chosen parent explains
/// ([`Explained::new_words`]).
fn choose_parents(
    mut by_child: AHashMap<u32, Vec<Candidate>>,
    shingles: &[ShingleSet],
    min_words: usize,
) -> Vec<LineageEdge> {
    let mut children: Vec<u32> = by_child.keys().copied().collect();
    children.sort_unstable();
    let mut edges: Vec<LineageEdge> = Vec::new();
    for child in children {
        let mut cands = by_child.remove(&child).unwrap_or_default();
        // Candidates whose direction evidence decides first (an undetermined link adds to a
        // child only what no decided parent explains); then most of the child explained;
        // then the more complete, earlier, first-read parent.
        cands.sort_by(|x, y| {
            y.edge
                .directed
                .cmp(&x.edge.directed)
                .then(y.shared.cmp(&x.shared))
                .then(y.parent_words.cmp(&x.parent_words))
                .then(x.parent_time.cmp(&y.parent_time))
                .then(x.edge.parent.cmp(&y.edge.parent))
        });
        let mut explained = Explained::default();
        // The k-grams are read only to weigh a further parent against the first.
        let child_set = shingles
            .get(child as usize)
            .filter(|_| cands.len() > 1)
            .map(|s| s.as_slice());
        for c in cands {
            // The k-grams a verbatim pair shares; a rewrite's or an inferred source's tell
            // little of what it explains.
            let parent_set = shingles.get(c.edge.parent as usize).map(|s| s.as_slice());
            let shared = match (child_set, parent_set, c.edge.method) {
                (_, _, Method::Paraphrase | Method::InferredSource) => None,
                (Some(cs), Some(ps), _) => Some(intersection(cs, ps)).filter(|s| !s.is_empty()),
                _ => None,
            };
            if !explained.ranges.is_empty()
                && explained.new_words(&c.edge.spans, shared.as_deref()) < min_words
            {
                continue;
            }
            explained.add(&c.edge.spans, shared);
            edges.push(c.edge);
        }
    }
    edges
}

/// What the parents chosen for a child so far explain of it: the character ranges of their
/// spans, and the child's content k-grams they hold, while every one is a document (an
/// inferred source has no k-gram set; `None` from then on).
#[derive(Default)]
struct Explained {
    ranges: Vec<(usize, usize)>,
    kgrams: Option<Vec<u64>>,
}

impl Explained {
    /// Words of the child a further parent explains beyond the chosen ones: the words of
    /// its passages outside the chosen parents' passages ([`uncovered_words`]), or, when
    /// that is more, the child's k-grams it holds (`shared`) that no chosen parent holds,
    /// each standing for a word (a run of `n` words no chosen parent has makes `n + k − 1`
    /// of them). The character ranges alone overstate what a chosen parent explains when
    /// its passage is bridged over long gaps, spanning text it does not share: a
    /// newspaper story fed by one agency's text and by another paper's rewrite of a
    /// second agency's, whose passage (similarity 0.5) spans the part copied word for word
    /// from the first agency. The k-grams alone understate what an obfuscated passage
    /// (few words in a row unchanged) explains, so neither is taken alone; where k-grams do
    /// not tell (a rewrite, an inferred source, no sets given), only the ranges count.
    fn new_words(&self, spans: &[EdgeSpan], shared: Option<&[u64]>) -> usize {
        let uncovered = spans.iter().map(|s| uncovered_words(s, &self.ranges)).sum();
        match (&self.kgrams, shared) {
            (Some(known), Some(shared)) => {
                let held = count_in(shared, known, shared.len()).unwrap_or(0);
                (shared.len() - held).max(uncovered)
            }
            _ => uncovered,
        }
    }

    /// Takes a chosen parent's spans and the child's k-grams it holds.
    fn add(&mut self, spans: &[EdgeSpan], shared: Option<Vec<u64>>) {
        let first = self.ranges.is_empty();
        self.ranges.extend(spans.iter().map(|s| s.child_chars));
        self.kgrams = match (first, self.kgrams.take(), shared) {
            (true, _, shared) => shared,
            (false, Some(known), Some(shared)) => {
                let mut union = known;
                union.extend(shared);
                union.sort_unstable();
                union.dedup();
                Some(union)
            }
            _ => None,
        };
    }
}

/// Words of span `s` (child side) outside the already explained character ranges,
/// estimated from its character share.
fn uncovered_words(s: &EdgeSpan, explained: &[(usize, usize)]) -> usize {
    let (start, end) = s.child_chars;
    let len = end.saturating_sub(start).max(1);
    let mut covered = 0;
    for &(a, b) in explained {
        let lo = a.max(start);
        let hi = b.min(end);
        if hi > lo {
            covered += hi - lo;
        }
    }
    let uncovered = len.saturating_sub(covered.min(len));
    s.child_words * uncovered / len
}

fn into_graph(
    mut edges: Vec<LineageEdge>,
    sources: Vec<InferredSource>,
    first_inferred: u32,
) -> Lineage {
    // Inferred sources that no child kept are dropped, the others renumbered in order.
    let mut used = vec![false; sources.len()];
    for e in &edges {
        if let Some(k) = e.parent.checked_sub(first_inferred) {
            used[k as usize] = true;
        }
    }
    let mut node_of_source = vec![u32::MAX; sources.len()];
    let mut inferred = Vec::new();
    for (k, source) in sources.into_iter().enumerate() {
        if used[k] {
            node_of_source[k] = first_inferred + inferred.len() as u32;
            inferred.push(source);
        }
    }
    for e in &mut edges {
        if let Some(k) = e.parent.checked_sub(first_inferred) {
            e.parent = node_of_source[k as usize];
        }
    }
    let mut graph: DiGraph<u32, LineageEdge> = DiGraph::new();
    let mut node_of: AHashMap<u32, NodeIndex> = AHashMap::new();
    let mut nodes: Vec<u32> = edges.iter().flat_map(|e| [e.parent, e.child]).collect();
    nodes.sort_unstable();
    nodes.dedup();
    for d in nodes {
        node_of.insert(d, graph.add_node(d));
    }
    edges.sort_by_key(|e| (e.parent, e.child));
    for e in edges {
        graph.add_edge(node_of[&e.parent], node_of[&e.child], e);
    }
    break_cycles(&mut graph);

    let mut uf = UnionFind::<usize>::new(graph.node_count());
    for e in graph.edge_references() {
        uf.union(e.source().index(), e.target().index());
    }
    let labels = uf.into_labeling();
    let mut renumber: AHashMap<usize, usize> = AHashMap::new();
    let family: Vec<usize> = labels
        .iter()
        .map(|&root| {
            let next = renumber.len();
            *renumber.entry(root).or_insert(next)
        })
        .collect();
    Lineage {
        families: renumber.len(),
        family,
        graph,
        inferred,
        first_inferred,
    }
}

/// Removes the weakest edge (lowest containment, then latest) of each cycle until none is left.
fn break_cycles(graph: &mut DiGraph<u32, LineageEdge>) {
    loop {
        let cyclic: Vec<Vec<NodeIndex>> = kosaraju_scc(&*graph)
            .into_iter()
            .filter(|c| c.len() > 1)
            .collect();
        if cyclic.is_empty() {
            return;
        }
        for component in cyclic {
            let weakest: Option<EdgeIndex> = graph
                .edge_indices()
                .filter(|&ei| {
                    graph
                        .edge_endpoints(ei)
                        .is_some_and(|(s, t)| component.contains(&s) && component.contains(&t))
                })
                .min_by(|&x, &y| {
                    graph[x].containment.total_cmp(&graph[y].containment).then(
                        (graph[y].parent, graph[y].child).cmp(&(graph[x].parent, graph[x].child)),
                    )
                });
            if let Some(ei) = weakest {
                graph.remove_edge(ei);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::direction::{credits, names_match};
    use super::*;

    fn direction(docs: &[Document], e: &PairEvidence) -> Orientation {
        Cues::learn(docs, std::slice::from_ref(e), &LineageConfig::default()).direction(e)
    }

    fn build_plain(docs: &[Document], pairs: &[PairEvidence], content: &[ContentStats]) -> Lineage {
        build(docs, pairs, content, &[], &LineageConfig::default())
    }

    #[test]
    fn credits_are_found_in_common_forms() {
        assert_eq!(credits("BEIJING, June 5 (Xinhua) -- text"), ["xinhua"]);
        assert_eq!(credits("LONDON (Reuters) - Copper rose"), ["reuters"]);
        assert!(credits("the (Chicago)-based group").is_empty());
        assert!(credits("TOKYO RUBBER (YEN PER KILO) - APRIL 07").is_empty());
        assert_eq!(
            credits("text.\nOriginally published by City Wire."),
            ["city wire"]
        );
        assert_eq!(
            credits("This story first appeared in The Nation."),
            ["nation"]
        );
        assert_eq!(
            credits("Republished with permission from Harbor Post"),
            ["harbor post"]
        );
        assert_eq!(
            credits("(Thomson Reuters Foundation) - A"),
            ["thomson reuters foundation"]
        );
        assert_eq!(credits("text.\n\nSource : China Daily\n"), ["china daily"]);
        assert_eq!(credits("(Source: Xinhua)"), ["xinhua"]);
        assert_eq!(credits("output fell, according to Reuters."), ["reuters"]);
        assert_eq!(
            credits("according to a report by China AVIC Securities."),
            ["china avic securities"]
        );
        assert_eq!(
            credits("As China Daily reported: the meeting"),
            ["china daily"]
        );
        assert_eq!(credits("新华社北京6月5日电 国家发展改革委"), ["新华社"]);
        assert_eq!(credits("（来源：人民日报）"), ["人民日报"]);
        assert!(credits("The weather was fine on Tuesday.").is_empty());
        // A name ends with its line: the footer below a source line is not part of it.
        assert_eq!(
            credits("text.\n\nSource: AFP\nShare this article. Follow Us"),
            ["afp"]
        );
        assert_eq!(
            credits("Source: Agence France Presse\n"),
            ["agence france presse"]
        );
    }

    #[test]
    fn names_match_wordwise() {
        assert!(names_match("china daily", "China Daily (via a blog)"));
        assert!(names_match("xinhua news agency", "Xinhua"));
        assert!(!names_match("china", "Chinadaily"));
        assert!(!names_match("reuters", ""));
    }

    fn evidence(a: u32, b: u32, a_sh: usize, b_sh: usize, shared: usize) -> PairEvidence {
        PairEvidence {
            a,
            b,
            spans: vec![SharedSpan {
                a_chars: (0, 100),
                b_chars: (0, 100),
                a_bytes: (0, 100),
                b_bytes: (0, 100),
                a_first_word: 0,
                b_first_word: 0,
                a_words: 20,
                b_words: 20,
                similarity: 1.0,
            }],
            a_shingles: a_sh,
            b_shingles: b_sh,
            shared_shingles: shared,
            from_lsh: false,
            paraphrase: false,
            templates: Vec::new(),
        }
    }

    #[test]
    fn direction_follows_date_then_credit_then_containment() {
        let docs = vec![
            Document::new("late", "x").with_date("2020-01-02"),
            Document::new("early", "x").with_date("2020-01-01"),
        ];
        let o = direction(&docs, &evidence(0, 1, 100, 100, 90));
        assert_eq!((o.parent, o.child, o.directed), (1, 0, true));
        assert!(o.reason.starts_with("earlier date"));

        let docs = vec![
            Document::new("portal", "… (Source: Xinhua)").with_source("Daily Portal"),
            Document::new("wire", "…").with_source("Xinhua"),
        ];
        let o = direction(&docs, &evidence(0, 1, 100, 100, 90));
        assert_eq!((o.parent, o.child), (1, 0));
        assert!(o.reason.contains("credits 'xinhua'"), "{}", o.reason);

        let docs = vec![Document::new("short", "…"), Document::new("full", "…")];
        let o = direction(&docs, &evidence(0, 1, 50, 100, 48));
        assert_eq!(
            (o.parent, o.child),
            (1, 0),
            "the truncated copy is the child"
        );
        assert!(o.directed);
    }

    #[test]
    fn without_evidence_the_direction_is_undetermined_not_guessed() {
        // Undated, no credit, each holds a third of the other: nothing tells.
        let docs = vec![Document::new("x", "…"), Document::new("y", "…")];
        let o = direction(&docs, &evidence(0, 1, 120, 100, 40));
        assert!(!o.directed);
        assert!(o.reason.starts_with("undetermined"), "{}", o.reason);
        // Stored longer first, for stable output.
        assert_eq!((o.parent, o.child), (0, 1));
        let lineage = build_plain(
            &docs,
            &[evidence(0, 1, 120, 100, 40)],
            &[ContentStats { words: 120 }, ContentStats { words: 100 }],
        );
        assert_eq!(lineage.families, 1);
        assert!(!lineage.edges()[0].directed);

        // Short text wholly inside a long one, but in its middle: an excerpt, or the source
        // the long one embeds? Undetermined. From the long one's start: truncation.
        let mut middle = evidence(0, 1, 50, 300, 48);
        middle.spans[0].b_first_word = 120;
        let o = direction(&docs, &middle);
        assert!(!o.directed, "{}", o.reason);
        middle.spans[0].b_first_word = 3;
        let o = direction(&docs, &middle);
        assert!(
            o.directed && o.reason.starts_with("truncated"),
            "{}",
            o.reason
        );
        assert_eq!((o.parent, o.child), (1, 0));
    }

    #[test]
    fn repost_of_repost_points_at_the_repost() {
        // 0 original, 1 repost (dated after), 2 repost of 1 sharing 1's edits.
        let docs = vec![
            Document::new("orig", "x").with_date("2020-01-01"),
            Document::new("repost", "x").with_date("2020-01-02"),
            Document::new("rere", "x").with_date("2020-01-03"),
        ];
        let pairs = vec![
            evidence(0, 1, 100, 100, 92),
            evidence(0, 2, 100, 100, 85),
            evidence(1, 2, 100, 100, 95),
        ];
        let content = [ContentStats { words: 100 }; 3];
        let lineage = build_plain(&docs, &pairs, &content);
        let edges: Vec<(u32, u32)> = lineage
            .edges()
            .iter()
            .map(|e| (e.parent, e.child))
            .collect();
        assert_eq!(edges, [(0, 1), (1, 2)]);
        assert_eq!(lineage.families, 1);
        assert_eq!(lineage.edges()[1].kind, EdgeKind::NearDuplicate);
        assert_eq!(lineage.edges()[1].time_lag_seconds, Some(86_400));
    }

    /// A story fed by two sources, as COUNTER's newspaper story 0406p: the agency's text
    /// copied nearly word for word (37 of the story's k-grams), and text shared with
    /// another paper's story (59 k-grams) in one passage bridged over long gaps, whose
    /// character range spans the agency's.
    fn two_sources_one_bridged() -> (Vec<Document>, Vec<PairEvidence>, Vec<ContentStats>) {
        let docs = vec![
            Document::new("agency", "x").with_date("2014-07-22"),
            Document::new("paper", "x").with_date("2014-07-23"),
            Document::new("story", "x").with_date("2014-07-24"),
        ];
        let mut from_agency = evidence(0, 2, 56, 181, 37);
        from_agency.spans[0].b_chars = (10, 278);
        from_agency.spans[0].b_words = 57;
        from_agency.spans[0].similarity = 0.93;
        let mut from_paper = evidence(1, 2, 141, 181, 59);
        from_paper.spans[0].b_chars = (20, 906);
        from_paper.spans[0].b_words = 178;
        from_paper.spans[0].similarity = 0.51;
        let content = [56, 141, 185].map(|words| ContentStats { words }).to_vec();
        (docs, vec![from_agency, from_paper], content)
    }

    fn parents_of(lineage: &Lineage, child: u32) -> Vec<u32> {
        let mut parents: Vec<u32> = lineage
            .edges()
            .iter()
            .filter(|e| e.child == child)
            .map(|e| e.parent)
            .collect();
        parents.sort_unstable();
        parents
    }

    #[test]
    fn a_second_source_inside_a_bridged_passage_is_still_a_parent() {
        let (docs, pairs, content) = two_sources_one_bridged();
        let config = LineageConfig::default();
        // The story's k-grams: 0..37 from the agency, 100..159 shared with the paper.
        let shingles: Vec<ShingleSet> = vec![
            (0..56).collect(),
            (100..241).collect(),
            (0..37).chain(100..159).chain(500..585).collect(),
        ];
        let lineage = build(&docs, &pairs, &content, &shingles, &config);
        assert_eq!(
            parents_of(&lineage, 2),
            [0, 1],
            "the agency explains 37 k-grams that the paper lacks"
        );

        // When the paper holds the agency's text too, the agency explains nothing more.
        let shingles: Vec<ShingleSet> = vec![
            (0..56).collect(),
            (0..37).chain(100..241).collect(),
            (0..37).chain(100..159).chain(500..585).collect(),
        ];
        let mut pairs = pairs;
        pairs[1].shared_shingles = 96;
        let lineage = build(&docs, &pairs, &content, &shingles, &config);
        assert_eq!(parents_of(&lineage, 2), [1]);

        // Without k-gram sets only the passages' ranges count: the bridged one covers all
        // but ten characters of the agency's.
        let (docs, pairs, content) = two_sources_one_bridged();
        assert_eq!(parents_of(&build_plain(&docs, &pairs, &content), 2), [1]);
    }

    #[test]
    fn of_two_copies_alike_the_one_whose_own_text_travelled_is_the_hub() {
        // Undated, uncredited. The source holds k-grams 0..100; the copy 0..90 and five
        // edits of its own (300..305); the answer copies 0..40 and, by chance, three of the
        // copy's edits. The answer shares more with the copy (43) than with the source
        // (40), and each of the two holds the other's share with the answer: the text of
        // the three alone cannot tell which is the hub.
        let mut shingles: Vec<ShingleSet> = vec![
            (0..100).collect(),
            (0..90).chain(300..305).collect(),
            (0..40).chain(300..303).chain(400..420).collect(),
        ];
        let mut pairs = vec![
            evidence(0, 1, 100, 95, 90),
            evidence(0, 2, 100, 63, 40),
            evidence(1, 2, 95, 63, 43),
        ];
        let mut docs: Vec<Document> = ["source", "copy", "answer"]
            .into_iter()
            .map(|id| Document::new(id, "x"))
            .collect();
        let parent_of_answer = |docs: &[Document], pairs: &[PairEvidence], sh: &[ShingleSet]| {
            let content = vec![ContentStats { words: 100 }; docs.len()];
            let lineage = build(docs, pairs, &content, sh, &LineageConfig::default());
            let parents: Vec<u32> = lineage
                .edges()
                .iter()
                .filter(|e| e.child == 2)
                .map(|e| e.parent)
                .collect();
            parents
        };
        assert_eq!(
            parent_of_answer(&docs, &pairs, &shingles),
            [1],
            "a tie stays"
        );
        // Two more documents carry the source's last ten k-grams, which the copy lacks:
        // the source's own text travelled, the copy's did not, so the source is the hub and
        // the answer is its copy, not the copy's.
        for (id, own) in [("witness 1", 600), ("witness 2", 700)] {
            docs.push(Document::new(id, "x"));
            shingles.push((90..100).chain(own..own + 50).collect());
            pairs.push(evidence(0, docs.len() as u32 - 1, 100, 60, 10));
        }
        assert_eq!(parent_of_answer(&docs, &pairs, &shingles), [0]);
        // The source is the hub of two copies, not the middle of a chain between them: the
        // copy dated before the answer does not make the copy the source's parent.
        docs[1] = Document::new("copy", "x").with_date("2020-01-01");
        docs[2] = Document::new("answer", "x").with_date("2020-01-05");
        let content = vec![ContentStats { words: 100 }; docs.len()];
        let lineage = build(
            &docs,
            &pairs,
            &content,
            &shingles,
            &LineageConfig::default(),
        );
        let links: Vec<(u32, u32, bool)> = lineage
            .edges()
            .iter()
            .map(|e| (e.parent, e.child, e.directed))
            .collect();
        assert!(links.contains(&(0, 2, false)), "{links:?}");
        assert!(
            !links.iter().any(|&(p, c, _)| (p, c) == (1, 0)),
            "{links:?}"
        );
    }

    /// A pair found by the paraphrase path, its passage of the given similarity.
    fn rewrite(a: u32, b: u32, similarity: f64) -> PairEvidence {
        let mut e = evidence(a, b, 100, 80, 0);
        e.paraphrase = true;
        e.spans[0].similarity = similarity;
        e
    }

    #[test]
    fn a_rewrite_points_at_the_source_not_at_its_copy_and_sibling_rewrites_are_dropped() {
        // The copy is edited: ten k-grams of its own, so it is not within the wire.
        let shingles: Vec<ShingleSet> = vec![
            (0..100).collect(),
            (0..95).chain(200..210).collect(),
            (1000..1080).collect(),
            (0..100).collect(),
        ];
        let docs = vec![
            Document::new("wire", "x").with_date("2020-01-01"),
            Document::new("copy", "x").with_date("2020-01-02"),
            Document::new("rewrite", "x").with_date("2020-01-03"),
            Document::new("copy2", "x").with_date("2020-01-02"),
        ];
        let content = [ContentStats { words: 100 }; 4];
        let config = LineageConfig::default();
        let pairs_of = |lineage: &Lineage| -> Vec<(u32, u32, EdgeKind)> {
            lineage
                .edges()
                .iter()
                .map(|e| (e.parent, e.child, e.kind))
                .collect()
        };
        // The rewrite reads closer to the wire's edited copy (0.7) than to the wire (0.6):
        // the copy does not mediate its own source's link, and the wire, earlier, is the
        // rewrite's parent.
        let pairs = vec![
            evidence(0, 1, 100, 105, 95),
            rewrite(0, 2, 0.6),
            rewrite(1, 2, 0.7),
        ];
        let lineage = build(&docs, &pairs, &content, &shingles, &config);
        assert_eq!(
            pairs_of(&lineage),
            [(0, 1, EdgeKind::NearDuplicate), (0, 2, EdgeKind::Rewritten)]
        );
        assert_eq!(lineage.edges()[1].method, Method::Paraphrase);

        // Two verbatim copies of the wire that read alike as rewrites of each other are
        // siblings through the wire: their link is dropped.
        let pairs = vec![
            evidence(0, 1, 100, 100, 100),
            evidence(0, 3, 100, 100, 100),
            rewrite(1, 3, 0.5),
        ];
        let lineage = build(&docs, &pairs, &content, &shingles, &config);
        assert_eq!(
            pairs_of(&lineage),
            [(0, 1, EdgeKind::Verbatim), (0, 3, EdgeKind::Verbatim)]
        );
    }
}
