//! Shared passages + dates + credits → a directed lineage graph, parent → child.
//!
//! For every pair of documents that share non-boilerplate passages, one is taken as the
//! source of the other. The decision, in order:
//!
//! 1. **Date**: when both are dated and the dates differ, the earlier is the parent.
//! 2. **Credit**: when one text credits the other's outlet — a `(Xinhua) --` dateline,
//!    `Source: China Daily`, `according to Reuters`, `as China Daily reported`,
//!    `来源：新华社`, `据新华社报道` — and not the other way round, the credited one is the
//!    parent.
//! 3. **Truncation**: when one is (nearly) contained in the other (≥ 90 % of its k-grams,
//!    against < 80 % the other way) and what they share begins at the start of the longer
//!    one, the longer, more complete text is the parent: a truncated copy is the child of
//!    the full text. Found in the middle of the longer text, the shorter one could be an
//!    excerpt of it or the source it embeds (an extended copy, a digest): no evidence.
//! 4. Otherwise nothing tells the direction, and the edge says so: it is kept (the two
//!    documents share text, and belong to one family) but marked undetermined
//!    (`directed: false`), drawn without an arrowhead, and not counted where a direction
//!    matters (which outlets are copied, which outlet is most cited). Its endpoints are
//!    stored longer text first, then earlier in input order, only to keep output stable.
//!
//! Each document then keeps as parent the candidate that explains most of its own text —
//! the most of its k-grams, among candidates whose direction is decided before the
//! undetermined ones — so a repost of a repost, which shares the first repost's
//! edits, points at that repost rather than at the original. Ties go to the more complete
//! text, then the earlier. A further candidate is kept as a second parent only when it
//! explains at least `min_words` words that the first did not (a digest quoting two
//! wires). Any cycle left by conflicting cues is broken at its weakest edge.
//!
//! Edges are classified: `verbatim` (same text once boilerplate is removed),
//! `near-duplicate` (each covers ≥ 80 % of the other), `truncated` (the child is a prefix
//! of the parent), `extended` (the child contains all of the parent and adds to it) and
//! `excerpt` (anything partial).

use std::fmt;
use std::sync::OnceLock;

use ahash::AHashMap;
use petgraph::algo::kosaraju_scc;
use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use petgraph::unionfind::UnionFind;
use petgraph::visit::EdgeRef;
use regex::Regex;
use serde::Serialize;

use crate::corpus::Document;
use crate::passage::SharedSpan;

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
}

impl fmt::Display for EdgeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EdgeKind::Verbatim => "verbatim",
            EdgeKind::NearDuplicate => "near-duplicate",
            EdgeKind::Truncated => "truncated",
            EdgeKind::Extended => "extended",
            EdgeKind::Excerpt => "excerpt",
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
    /// How the pair was found: `"lsh+alignment"` or `"fingerprints+alignment"`.
    pub method: &'static str,
    /// Whether evidence (date, credit, containment) decides the direction; `false`: the
    /// two share text but which copied which is unknown.
    pub directed: bool,
}

/// The lineage graph: nodes are input indices of documents with at least one edge.
#[derive(Debug, Clone, Default)]
pub struct Lineage {
    /// Parent → child graph; node weights are input indices.
    pub graph: DiGraph<u32, LineageEdge>,
    /// Family (weakly connected component) of each node, by node index.
    pub family: Vec<usize>,
    /// Number of families.
    pub families: usize,
}

impl Lineage {
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

fn credit_patterns() -> &'static [Regex] {
    static PATTERNS: OnceLock<Vec<Regex>> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        let name = r"([\p{Lu}][\p{L}&'.-]*(?:\s+[\p{Lu}][\p{L}&'.-]*){0,4})";
        [
            format!(r"\(\s*{name}\s*\)\s*(?:--|—|–)"),
            format!(r"(?i:source|credit|via)\s*[:：]\s*{name}"),
            format!(r"(?i:according\s+to)\s+(?:(?i:the|a)\s+)?(?:(?i:report|statement)\s+(?i:by|from)\s+)?{name}"),
            format!(r"(?i:as)\s+{name}\s+(?i:reported|said|announced)"),
            format!(r"(?i:reported|released|quoted)\s+by\s+(?:(?i:the)\s+)?{name}"),
            r"来源[：:]\s*(\p{Han}{2,12})".to_string(),
            r"据(\p{Han}{2,8}?)(?:报道|消息)".to_string(),
            r"(新华社|新华网|人民日报|中新社|中国新闻网)".to_string(),
        ]
        .iter()
        .filter_map(|p| Regex::new(p).ok())
        .collect()
    })
}

/// Outlet names a text credits (lowercased words), in order of appearance.
///
/// ```
/// use wiretrace::lineage::credits;
/// assert_eq!(credits("BEIJING, June 5 (Xinhua) -- The NDRC said"), ["xinhua"]);
/// assert_eq!(credits("… it said. Source : China Daily"), ["china daily"]);
/// assert!(credits("according to Reuters, output fell").contains(&"reuters".to_string()));
/// ```
pub fn credits(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for re in credit_patterns() {
        for cap in re.captures_iter(text) {
            if let Some(m) = cap.get(1) {
                let name = normalize_name(m.as_str());
                if !name.is_empty() && !out.contains(&name) {
                    out.push(name);
                }
            }
        }
    }
    out
}

fn normalize_name(s: &str) -> String {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Does a credited name designate this outlet? Word-wise containment either way, so
/// "China Daily" matches "China Daily (via a blog)" and "Xinhua" matches "Xinhua News Agency".
fn names_match(credit: &str, source: &str) -> bool {
    let source = normalize_name(source);
    if credit.is_empty() || source.is_empty() {
        return false;
    }
    let padded = |s: &str| format!(" {s} ");
    padded(&source).contains(&padded(credit)) || padded(credit).contains(&padded(&source))
}

fn credits_outlet(credited: &[String], doc: &Document) -> Option<String> {
    let source = doc.source.as_deref()?;
    credited.iter().find(|c| names_match(c, source)).cloned()
}

/// Parameters of lineage building.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LineageConfig {
    /// Words a second parent must explain beyond the first.
    pub min_words: usize,
}

impl Default for LineageConfig {
    fn default() -> Self {
        LineageConfig { min_words: 20 }
    }
}

fn date_of(doc: &Document) -> String {
    doc.date.clone().unwrap_or_else(|| "no date".into())
}

/// Which of a pair is the source, as [`build`] decides it.
pub fn orient_pair(docs: &[Document], e: &PairEvidence) -> Orientation {
    let mut credited = vec![Vec::new(); docs.len()];
    for d in [e.a, e.b] {
        credited[d as usize] = credits(&docs[d as usize].text);
    }
    direction(docs, &credited, e)
}

/// Which of a pair is the parent, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Orientation {
    /// The source (for an undetermined pair: the longer text).
    pub parent: u32,
    /// The copy.
    pub child: u32,
    /// The evidence, in words.
    pub reason: String,
    /// Whether evidence decided it (`false`: undetermined).
    pub directed: bool,
}

fn decided(parent: u32, child: u32, reason: String) -> Orientation {
    Orientation {
        parent,
        child,
        reason,
        directed: true,
    }
}

/// Decides which of a pair is the parent.
fn direction(docs: &[Document], credited: &[Vec<String>], e: &PairEvidence) -> Orientation {
    let (a, b) = (e.a, e.b);
    let (da, db) = (&docs[a as usize], &docs[b as usize]);
    if let (Some(ta), Some(tb)) = (da.timestamp, db.timestamp)
        && ta != tb
    {
        let (p, c) = if ta < tb { (a, b) } else { (b, a) };
        let reason = format!(
            "earlier date ({} before {})",
            date_of(&docs[p as usize]),
            date_of(&docs[c as usize])
        );
        return decided(p, c, reason);
    }
    let b_credits_a = credits_outlet(&credited[b as usize], da);
    let a_credits_b = credits_outlet(&credited[a as usize], db);
    match (b_credits_a, a_credits_b) {
        (Some(name), None) => {
            return decided(a, b, format!("child credits '{name}', the parent's outlet"));
        }
        (None, Some(name)) => {
            return decided(b, a, format!("child credits '{name}', the parent's outlet"));
        }
        _ => {}
    }
    // Containment decides only as truncation: the shorter text is (nearly) all in the
    // longer one *from its start*. Found in the middle of a longer text, it could be an
    // excerpt of it or the source it embeds, and that is no evidence either way.
    let (sa, sb) = (e.share_of(a), e.share_of(b));
    if sa >= 0.9 && sb < 0.8 && starts_at_start_of(e, b) {
        return decided(
            b,
            a,
            format!(
                "truncated: {:.0}% of the child is in the longer parent, from its start",
                sa * 100.0
            ),
        );
    }
    if sb >= 0.9 && sa < 0.8 && starts_at_start_of(e, a) {
        return decided(
            a,
            b,
            format!(
                "truncated: {:.0}% of the child is in the longer parent, from its start",
                sb * 100.0
            ),
        );
    }
    let (p, c) = if e.a_shingles >= e.b_shingles {
        (a, b)
    } else {
        (b, a)
    };
    Orientation {
        parent: p,
        child: c,
        reason: "undetermined: no date, credit or containment tells which copied which".into(),
        directed: false,
    }
}

/// Words of slack allowed before the start of a truncated copy in its parent (a dropped
/// dateline, breadcrumb or headline).
const PREFIX_SLACK_WORDS: usize = 20;

/// Whether the shared passages begin near the start of `doc`'s content.
fn starts_at_start_of(e: &PairEvidence, doc: u32) -> bool {
    e.spans
        .iter()
        .map(|s| {
            if doc == e.a {
                s.a_first_word
            } else {
                s.b_first_word
            }
        })
        .min()
        .is_some_and(|first| first <= PREFIX_SLACK_WORDS)
}

fn classify(e: &PairEvidence, parent: u32, child: u32) -> EdgeKind {
    let child_in_parent = e.share_of(child);
    let parent_in_child = e.share_of(parent);
    let starts_at_parent_start = starts_at_start_of(e, parent);
    if e.shared_shingles > 0 && child_in_parent >= 0.999 && parent_in_child >= 0.999 {
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

/// Builds the lineage graph from pair evidence; `content[i]` describes document i.
pub fn build(
    docs: &[Document],
    pairs: &[PairEvidence],
    content: &[ContentStats],
    config: &LineageConfig,
) -> Lineage {
    let credited: Vec<Vec<String>> = docs.iter().map(|d| credits(&d.text)).collect();
    // Candidate parents of each child.
    let mut by_child: AHashMap<u32, Vec<(&PairEvidence, Orientation)>> = AHashMap::new();
    for e in pairs.iter().filter(|e| !e.spans.is_empty()) {
        let o = direction(docs, &credited, e);
        by_child.entry(o.child).or_default().push((e, o));
    }
    let mut children: Vec<u32> = by_child.keys().copied().collect();
    children.sort_unstable();

    let mut edges: Vec<LineageEdge> = Vec::new();
    for child in children {
        let mut cands = by_child.remove(&child).unwrap_or_default();
        // Candidates whose direction evidence decides first (an undetermined link adds to a
        // child only what no decided parent explains); then most of the child explained;
        // then the more complete, earlier, first-read parent.
        cands.sort_by(|(e, x), (f, y)| {
            let (p, q) = (x.parent as usize, y.parent as usize);
            y.directed
                .cmp(&x.directed)
                .then(f.shared_shingles.cmp(&e.shared_shingles))
                .then(content[q].words.cmp(&content[p].words))
                .then(
                    docs[p]
                        .timestamp
                        .unwrap_or(i64::MAX)
                        .cmp(&docs[q].timestamp.unwrap_or(i64::MAX)),
                )
                .then(p.cmp(&q))
        });
        let mut explained: Vec<(usize, usize)> = Vec::new();
        for (e, orientation) in cands {
            let parent = orientation.parent;
            let spans = orient(e, parent);
            let new_words: usize = spans.iter().map(|s| uncovered_words(s, &explained)).sum();
            if !explained.is_empty() && new_words < config.min_words {
                continue;
            }
            explained.extend(spans.iter().map(|s| s.child_chars));
            let (pd, cd) = (&docs[parent as usize], &docs[child as usize]);
            edges.push(LineageEdge {
                parent,
                child,
                kind: classify(e, parent, child),
                similarity: e.jaccard(),
                containment: e.share_of(child),
                parent_coverage: e.share_of(parent),
                time_lag_seconds: pd.timestamp.zip(cd.timestamp).map(|(p, c)| c - p),
                spans,
                reason: orientation.reason,
                directed: orientation.directed,
                method: if e.from_lsh {
                    "lsh+alignment"
                } else {
                    "fingerprints+alignment"
                },
            });
        }
    }
    into_graph(edges)
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

fn into_graph(mut edges: Vec<LineageEdge>) -> Lineage {
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
    use super::*;

    #[test]
    fn credits_are_found_in_common_forms() {
        assert_eq!(credits("BEIJING, June 5 (Xinhua) -- text"), ["xinhua"]);
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
        }
    }

    #[test]
    fn direction_follows_date_then_credit_then_containment() {
        let docs = vec![
            Document::new("late", "x").with_date("2020-01-02"),
            Document::new("early", "x").with_date("2020-01-01"),
        ];
        let o = direction(&docs, &[vec![], vec![]], &evidence(0, 1, 100, 100, 90));
        assert_eq!((o.parent, o.child, o.directed), (1, 0, true));
        assert!(o.reason.starts_with("earlier date"));

        let docs = vec![
            Document::new("portal", "… (Source: Xinhua)").with_source("Daily Portal"),
            Document::new("wire", "…").with_source("Xinhua"),
        ];
        let credited: Vec<Vec<String>> = docs.iter().map(|d| credits(&d.text)).collect();
        let o = direction(&docs, &credited, &evidence(0, 1, 100, 100, 90));
        assert_eq!((o.parent, o.child), (1, 0));
        assert!(o.reason.contains("credits 'xinhua'"), "{}", o.reason);

        let docs = vec![Document::new("short", "…"), Document::new("full", "…")];
        let o = direction(&docs, &[vec![], vec![]], &evidence(0, 1, 50, 100, 48));
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
        let o = direction(&docs, &[vec![], vec![]], &evidence(0, 1, 120, 100, 40));
        assert!(!o.directed);
        assert!(o.reason.starts_with("undetermined"), "{}", o.reason);
        // Stored longer first, for stable output.
        assert_eq!((o.parent, o.child), (0, 1));
        let lineage = build(
            &docs,
            &[evidence(0, 1, 120, 100, 40)],
            &[ContentStats { words: 120 }, ContentStats { words: 100 }],
            &LineageConfig::default(),
        );
        assert_eq!(lineage.families, 1);
        assert!(!lineage.edges()[0].directed);

        // Short text wholly inside a long one, but in its middle: an excerpt, or the source
        // the long one embeds? Undetermined. From the long one's start: truncation.
        let mut middle = evidence(0, 1, 50, 300, 48);
        middle.spans[0].b_first_word = 120;
        let o = direction(&docs, &[vec![], vec![]], &middle);
        assert!(!o.directed, "{}", o.reason);
        middle.spans[0].b_first_word = 3;
        let o = direction(&docs, &[vec![], vec![]], &middle);
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
        let lineage = build(&docs, &pairs, &content, &LineageConfig::default());
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
}
