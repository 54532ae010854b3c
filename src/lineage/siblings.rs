//! Siblings are not parents: which pairs that share text are direct copies of one another.
//!
//! Two copies of one original share most of their text, but neither copied the other. The
//! test is on the *text* three documents share, not on dates or lengths. Let `X ∩ Y` be
//! the content k-grams two documents share. If a third document `M`, linked to both, holds
//! nearly all of `X ∩ Y` — `X` and `Y` share nothing that `M` lacks, so neither carries
//! the other's own edits — then `X` and `Y` are related *through* `M` (the unrooted tree
//! is `X – M – Y`), and their direct link is dropped. When text flows from an original `S`
//! to a repost `R` and on to a repost of the repost `RR`, `R ∩ RR` holds `R`'s edits, which
//! `S` lacks, so `R – RR` stays, while `S ∩ RR` lies within `R`, so `S – RR` goes.
//!
//! The data alone are ambiguous when an end of the pair could itself be the middle: if
//! `M ∩ Y` lies within `X` too, then `M – X – Y` explains the text as well as
//! `X – M – Y` (identical copies are the extreme case: every one could be the hub). Then
//! `M` must *beat* that end to be the hub: the direction of their own pair says `M` is
//! the source, or, when it is undetermined (or only a truncation), the other documents
//! say so: more of `M`'s neighbours carry text of `M` that `X` lacks than `X`'s carry text
//! of `X` that `M` lacks. A copy is made of its source's words, so the source's own words
//! turn up in its other copies; a copy's own edits turn up only in copies of that copy.
//! Answers to one exam question copied from one article, one of them nearly whole, thus
//! hang from the article, whose sentences the others took and the near-whole copy left
//! out, not from that copy. With as many witnesses each the link stays.
//!
//! Pairs are visited weakest first (fewest shared k-grams), and a pair is dropped only
//! through a mediator whose two links are still present, so removal never disconnects what
//! the text connects (the reverse-delete order of a maximum spanning tree). "Nearly all"
//! allows [`slack`] k-grams: two writers may share a stock phrase by chance.
//!
//! These choices also say which *outlets* act as the source of copies in a corpus: a
//! document chosen over another outlet's as the hub by its witnesses counts for its
//! outlet as a source, the other as a copy (`Mediation::sources`); an outlet that is
//! the source in four choices in five then directs the links that nothing else decides
//! (`direction::by_source_outlet`).
//!
//! Once the tree is known, a decided direction anywhere on a path fixes the undecided links
//! along it: if `S → RR` is decided (by date or credit) and `R` is between them, then
//! `S → R → RR`, whatever the dates of `R` and `RR` say.
//!
//! Cost: per pair, the common neighbours are found by looking the shorter of the two
//! sorted adjacency lists up in the longer; at most [`MAX_MEDIATORS`] of them,
//! pre-filtered by their pairwise counts, are tested, each
//! by looking up the pair's shared k-grams in the mediator's sorted set, stopping at the
//! first [`slack`] + 1 misses. The witnesses of a document against another are counted
//! once (a set difference, then at most [`MAX_WITNESSES`] neighbours looked up in it).

use std::cmp::Reverse;

use ahash::AHashMap;

use super::PairEvidence;
use super::direction::{Cue, Orientation, WireStats, same_outlet};
use crate::corpus::Document;
use crate::shingle::ShingleSet;

/// Mediators tested per pair.
pub const MAX_MEDIATORS: usize = 8;

/// Common neighbours that pass the count filter gathered per pair (in input order) before
/// the strongest [`MAX_MEDIATORS`] are tested: a clique of a thousand near-identical
/// copies costs each pair this much, not a thousand.
pub const MAX_CANDIDATES: usize = 64;

/// Shared k-grams two texts may have outside a third without it counting as their own
/// shared edit: four, plus one in a hundred — chance phrases, and a credit line written
/// alike around a quote (`As Reuters reported:`) — while one substituted word changes five.
pub fn slack(shared: usize) -> usize {
    4 + shared / 100
}

/// Pairs by their endpoints, and each document's neighbours.
pub(super) struct PairIndex {
    by_pair: AHashMap<(u32, u32), usize>,
    /// Neighbours of a document with the pair index, sorted by neighbour.
    adjacent: AHashMap<u32, Vec<(u32, usize)>>,
}

impl PairIndex {
    pub fn new(pairs: &[PairEvidence]) -> Self {
        let mut by_pair = AHashMap::with_capacity(pairs.len());
        let mut adjacent: AHashMap<u32, Vec<(u32, usize)>> = AHashMap::new();
        for (i, e) in pairs.iter().enumerate() {
            by_pair.insert((e.a.min(e.b), e.a.max(e.b)), i);
            adjacent.entry(e.a).or_default().push((e.b, i));
            adjacent.entry(e.b).or_default().push((e.a, i));
        }
        for list in adjacent.values_mut() {
            list.sort_unstable();
        }
        PairIndex { by_pair, adjacent }
    }

    /// The pair of two documents, if they share text.
    pub fn pair(&self, x: u32, y: u32) -> Option<usize> {
        self.by_pair.get(&(x.min(y), x.max(y))).copied()
    }

    /// Neighbours of a document, with the pair index.
    pub fn neighbours(&self, x: u32) -> &[(u32, usize)] {
        self.adjacent.get(&x).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Neighbours of `x` among `members` (sorted), with the pair index: a document's links
    /// into a group cost its own links, not the group's size.
    pub fn links_into<'m>(
        &'m self,
        x: u32,
        members: &'m [u32],
    ) -> impl Iterator<Item = (u32, usize)> + 'm {
        self.neighbours(x)
            .iter()
            .copied()
            .filter(|(m, _)| members.binary_search(m).is_ok())
    }

    /// Documents linked to both `x` and `y`: `(m, pair x–m, pair y–m)`. The shorter list
    /// is looked up in the longer, so a hub with many copies costs each of its pairs only
    /// the copy's few links.
    pub(super) fn common(&self, x: u32, y: u32) -> impl Iterator<Item = (u32, usize, usize)> + '_ {
        let (nx, ny) = (self.neighbours(x), self.neighbours(y));
        let (short, long, flipped) = if nx.len() <= ny.len() {
            (nx, ny, false)
        } else {
            (ny, nx, true)
        };
        short.iter().filter_map(move |&(m, p_short)| {
            let at = long.binary_search_by_key(&m, |&(n, _)| n).ok()?;
            let p_long = long[at].1;
            Some(if flipped {
                (m, p_long, p_short)
            } else {
                (m, p_short, p_long)
            })
        })
    }
}

/// Sorted intersection of two sorted sets.
pub(super) fn intersection(x: &[u64], y: &[u64]) -> Vec<u64> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < x.len() && j < y.len() {
        match x[i].cmp(&y[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(x[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

/// How many of `items` (sorted) are in `set` (sorted); `None` once more than `max_miss`
/// are not.
pub(super) fn count_in(items: &[u64], set: &[u64], max_miss: usize) -> Option<usize> {
    let mut missed = 0;
    let mut rest = set;
    for &h in items {
        match rest.binary_search(&h) {
            Ok(at) => rest = &rest[at + 1..],
            Err(at) => {
                rest = &rest[at..];
                missed += 1;
                if missed > max_miss {
                    return None;
                }
            }
        }
    }
    Some(items.len() - missed)
}

/// Whether `m` beats `end` as the hub of their shared text, given the direction of their
/// own pair. A decided direction says so when it makes `m` the parent. Truncation is no
/// evidence here (when one text holds all of the other from its start, it is as much an
/// extended copy as a full source), so then, as undecided, the text of the other
/// documents decides:
/// `m` is the hub when more of its neighbours carry text of `m` that `end` lacks than
/// carry text of `end` that `m` lacks ([`witnesses`]) — a copy is made of its source's
/// words, so the source's own words turn up in other copies, while a copy's own edits
/// turn up only in copies of that copy. With as many witnesses each, neither is
/// preferred and the link in question stays.
fn beats(m: u32, end: u32, their_pair: &Orientation, text: &Witnesses) -> Option<HubBy> {
    if their_pair.directed && their_pair.cue != Cue::Truncation {
        return (their_pair.parent == m).then_some(HubBy::Direction);
    }
    (text.count(m, end) > text.count(end, m)).then_some(HubBy::Witnesses)
}

/// What made a document the hub of two others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HubBy {
    /// The decided direction of its own link with that end.
    Direction,
    /// Its own words, found in its other copies: a source of both ends, not the middle of
    /// a chain between them.
    Witnesses,
}

/// Neighbours consulted per document when counting the witnesses of its own text.
pub const MAX_WITNESSES: usize = 64;

/// Counts, once per ordered pair of documents, the neighbours of one that carry its text
/// missing from the other.
pub(super) struct Witnesses<'a> {
    shingles: &'a [ShingleSet],
    index: &'a PairIndex,
    counted: std::cell::RefCell<AHashMap<(u32, u32), usize>>,
}

impl<'a> Witnesses<'a> {
    pub fn new(shingles: &'a [ShingleSet], index: &'a PairIndex) -> Self {
        Witnesses {
            shingles,
            index,
            counted: Default::default(),
        }
    }

    /// [`witnesses`] of `m` against `end`, remembered.
    fn count(&self, m: u32, end: u32) -> usize {
        if let Some(&n) = self.counted.borrow().get(&(m, end)) {
            return n;
        }
        let n = witnesses(m, end, self.shingles, self.index);
        self.counted.borrow_mut().insert((m, end), n);
        n
    }
}

/// How many neighbours of `m` (other than `end`; the first [`MAX_WITNESSES`]) hold more
/// than [`slack`]`(0)` of the k-grams `m` has and `end` lacks: witnesses that `m`'s own
/// text travelled.
fn witnesses(m: u32, end: u32, shingles: &[ShingleSet], index: &PairIndex) -> usize {
    let own = difference(&shingles[m as usize], &shingles[end as usize]);
    if own.len() <= slack(0) {
        return 0;
    }
    index
        .neighbours(m)
        .iter()
        .filter(|&&(n, _)| n != end)
        .take(MAX_WITNESSES)
        .filter(|&&(n, _)| {
            let set = &shingles[n as usize];
            count_in(&own, set, own.len() - slack(0) - 1).is_some()
        })
        .count()
}

/// Sorted difference `x \ y` of two sorted sets.
fn difference(x: &[u64], y: &[u64]) -> Vec<u64> {
    let mut rest = y;
    x.iter()
        .copied()
        .filter(|h| match rest.binary_search(h) {
            Ok(at) => {
                rest = &rest[at + 1..];
                false
            }
            Err(at) => {
                rest = &rest[at..];
                true
            }
        })
        .collect()
}

/// What mediation found, per pair.
#[derive(Debug, Clone, Default)]
pub(super) struct Mediation {
    /// The document through which the pair's two ends are related instead (`Some(m)`: the
    /// direct link is dropped), or `None` (kept).
    pub via: Vec<Option<u32>>,
    /// Whether that document was chosen over an end of the pair by its witnesses: then it
    /// is the source of both ends, and no direction runs along the path (see
    /// [`propagate`]).
    pub source_of_both: Vec<bool>,
    /// Outlets whose documents act as the source of copies by their text: per outlet, its
    /// documents chosen over another as the hub of two copies by their witnesses (as
    /// parents), and those that lost that choice (as children). Read as wires are read
    /// (see `direction::by_source_outlet`).
    pub sources: WireStats,
}

/// For every pair, the document through which its two ends are related instead, if any.
pub(super) fn mediate(
    docs: &[Document],
    pairs: &[PairEvidence],
    orientations: &[Orientation],
    shingles: &[ShingleSet],
    index: &PairIndex,
) -> Mediation {
    let mut via: Vec<Option<u32>> = vec![None; pairs.len()];
    let mut source_of_both = vec![false; pairs.len()];
    if shingles.is_empty() {
        return Mediation {
            via,
            source_of_both,
            sources: WireStats::default(),
        };
    }
    let text = Witnesses::new(shingles, index);
    // (hub, the end of another outlet it beat by its witnesses)
    let mut hub_links: Vec<(u32, u32)> = Vec::new();
    let mut order: Vec<usize> = (0..pairs.len()).collect();
    order.sort_by_key(|&i| (pairs[i].shared_shingles, pairs[i].a, pairs[i].b));
    for pi in order {
        let e = &pairs[pi];
        if e.paraphrase {
            if let Some((m, by)) =
                mediate_rewrite(pi, pairs, orientations, shingles, index, &via, &text)
            {
                via[pi] = Some(m);
                source_of_both[pi] = by.contains(&Some(HubBy::Witnesses));
                note_hub(docs, m, [e.a, e.b], by, &mut hub_links);
            }
            continue;
        }
        let (x, y, n_xy) = (e.a, e.b, e.shared_shingles);
        let eps = slack(n_xy);
        let shared = |p: usize| pairs[p].shared_shingles;
        let mut mediators: Vec<(u32, usize, usize)> = index
            .common(x, y)
            .filter(|&(_, px, py)| {
                via[px].is_none()
                    && via[py].is_none()
                    && shared(px) + eps >= n_xy
                    && shared(py) + eps >= n_xy
            })
            .take(MAX_CANDIDATES)
            .collect();
        if mediators.is_empty() {
            continue;
        }
        mediators.sort_by_key(|&(m, px, py)| (Reverse(shared(px).min(shared(py))), m));
        mediators.truncate(MAX_MEDIATORS);
        let xy = intersection(&shingles[x as usize], &shingles[y as usize]);
        for (m, px, py) in mediators {
            let Some(t) = count_in(&xy, &shingles[m as usize], eps) else {
                continue;
            };
            let (mx, my) = (shared(px), shared(py));
            // Could X be the middle (M ∩ Y within X)? Could Y?
            let x_between = my.saturating_sub(t) <= slack(my);
            let y_between = mx.saturating_sub(t) <= slack(mx);
            let x_hub = x_between.then(|| beats(m, x, &orientations[px], &text));
            let y_hub = y_between.then(|| beats(m, y, &orientations[py], &text));
            if x_hub == Some(None) || y_hub == Some(None) {
                continue;
            }
            via[pi] = Some(m);
            source_of_both[pi] = [x_hub, y_hub].contains(&Some(Some(HubBy::Witnesses)));
            note_hub(
                docs,
                m,
                [x, y],
                [x_hub.flatten(), y_hub.flatten()],
                &mut hub_links,
            );
            break;
        }
    }
    Mediation {
        via,
        source_of_both,
        sources: WireStats::from_links(docs, hub_links.into_iter()),
    }
}

/// Adds `(m, end)` to `hub_links` for each end of a mediated pair that `m` beat as the hub
/// by its witnesses (`by`, per end), when the two are of different outlets: what
/// `Mediation::sources` counts.
fn note_hub(
    docs: &[Document],
    m: u32,
    ends: [u32; 2],
    by: [Option<HubBy>; 2],
    hub_links: &mut Vec<(u32, u32)>,
) {
    for (end, b) in ends.into_iter().zip(by) {
        if b == Some(HubBy::Witnesses) && !same_outlet(&docs[m as usize], &docs[end as usize]) {
            hub_links.push((m, end));
        }
    }
}

/// How strongly a pair's text says the two are related: a verbatim passage beats any
/// rewrite, and rewrites are ranked by their passages' best similarity.
fn strength(e: &PairEvidence) -> (bool, f64) {
    let best = e.spans.iter().map(|s| s.similarity).fold(0.0, f64::max);
    (!e.paraphrase, best)
}

/// The mediator of a rewritten pair `X – Y` (found by the paraphrase path), if any. Their
/// shared words cannot be tested in k-grams, so the test is on the strength of the links
/// (the reverse-delete order of a maximum spanning tree): a common neighbour `M` whose
/// links to both are at least as strong explains the pair as two copies of `M`. As for
/// verbatim pairs, when `M`'s own text lies within `X` (or `Y`), that end could be the hub
/// as well, and `M` must beat it by a decided direction; and a decided copy of `X` (or
/// `Y`) is never the mediator: the rewrite may as well come from `X` itself.
fn mediate_rewrite(
    pi: usize,
    pairs: &[PairEvidence],
    orientations: &[Orientation],
    shingles: &[ShingleSet],
    index: &PairIndex,
    via: &[Option<u32>],
    text: &Witnesses,
) -> Option<(u32, [Option<HubBy>; 2])> {
    let e = &pairs[pi];
    let own = strength(e);
    let stronger = |p: usize| {
        let s = strength(&pairs[p]);
        (s.0 && !own.0) || (s.0 == own.0 && s.1 >= own.1)
    };
    let within = |m: u32, end: u32, p: usize| {
        let m_len = shingles[m as usize].len();
        m_len > 0 && pairs[p].shared_shingles + slack(m_len) >= m_len && end != m
    };
    let mut mediators: Vec<(u32, usize, usize)> = index
        .common(e.a, e.b)
        .filter(|&(_, px, py)| {
            via[px].is_none() && via[py].is_none() && stronger(px) && stronger(py)
        })
        .collect();
    mediators.sort_by_key(|&(m, _, _)| m);
    mediators.into_iter().find_map(|(m, px, py)| {
        let x_could_be_hub = within(m, e.a, px);
        let y_could_be_hub = within(m, e.b, py);
        // A copy of one end explains the other no better than that end itself does: the
        // text of a rewrite cannot say which of the two it was made from, and the source
        // stays the parent rather than a chain through its copy.
        let copy_of = |end: u32, p: usize| {
            let o = &orientations[p];
            o.directed && o.parent == end && o.child == m
        };
        let x_hub = x_could_be_hub.then(|| beats(m, e.a, &orientations[px], text));
        let y_hub = y_could_be_hub.then(|| beats(m, e.b, &orientations[py], text));
        let blocked =
            x_hub == Some(None) || y_hub == Some(None) || copy_of(e.a, px) || copy_of(e.b, py);
        (!blocked).then_some((m, [x_hub.flatten(), y_hub.flatten()]))
    })
}

/// Carries decided directions along the paths that mediation found: for a dropped pair
/// `S – B` through `A` whose direction is decided, the undecided links `S – A` and
/// `A – B` take the same direction — unless `A` was chosen for its witnesses, as the
/// source of both: then `S` and `B` are two copies of `A`, and their dates tell only which
/// copy came first; or unless only `S`'s outlet decided it (`Cue::SourceOutlet`).
pub(super) fn propagate(
    docs: &[Document],
    orientations: &mut [Orientation],
    mediation: &Mediation,
    index: &PairIndex,
) {
    for _ in 0..4 {
        let mut changed = false;
        for (pi, mediator) in mediation.via.iter().enumerate() {
            let Some(a) = *mediator else { continue };
            if mediation.source_of_both[pi] {
                continue;
            }
            // An outlet learned to be the source of copies says which outlet's document is
            // the source, not which of two copies of another outlet copied the other.
            let o = &orientations[pi];
            if !o.directed || o.cue == Cue::SourceOutlet {
                continue;
            }
            let (s, b) = (o.parent, o.child);
            let reason = format!(
                "on the path '{}' → '{}' → '{}', whose ends are decided ({})",
                docs[s as usize].id, docs[a as usize].id, docs[b as usize].id, o.reason
            );
            for (u, v) in [(s, a), (a, b)] {
                if let Some(q) = index.pair(u, v)
                    && !orientations[q].directed
                {
                    orientations[q] = Orientation {
                        parent: u,
                        child: v,
                        reason: reason.clone(),
                        directed: true,
                        cue: Cue::Path,
                    };
                    changed = true;
                }
            }
        }
        if !changed {
            return;
        }
    }
}
