//! Unseen sources: the wire story that several copies share but the corpus lacks.
//!
//! Users crawl outlets, not the wire. When two or more documents of known outlets share
//! text, each names the same third outlet as the source of its whole text — a byline: a
//! dateline credit `(Kyodo) --` near its start or a `Source: Xinhua` line at its start or
//! end — and no document of that outlet shares text with them, their common text is best
//! explained by that outlet's story, which is not in the corpus. (A document of unknown
//! outlet could be that story itself, so it takes no part.) Making one copy the
//! parent of another would be a guess (the dates of two reposts tell which was crawled
//! first, not which copied which); an **inferred source** stands for the missing story
//! instead, and every copy points at it.
//!
//! A copy is still the child of another copy when it carries that copy's own edits: with
//! four or more copies, the text two of them share that none of the others holds (more
//! than [`slack`] k-grams) is an edit that travelled from one to the other, and their
//! link stays. Three copies cannot tell a shared edit from a third copy's own change;
//! they are taken as siblings.
//!
//! [`slack`]: super::siblings::slack
//!
//! Copies that credit no one are siblings of an unseen story only when three or more
//! outlets published them within [`copy_window_seconds`] of each other, none acting as a
//! wire and none with a decided source: with two, one outlet's own story and another's
//! copy of it look the same. Their node is `inferred:unattributed:N`, with no outlet.
//!
//! [`copy_window_seconds`]: super::LineageConfig::copy_window_seconds
//!
//! The inferred node gets an id that no document has (`inferred:xinhua:3`), the credited
//! outlet, the earliest child's date as an upper bound on its own, its text reconstructed
//! from the copy that shares most with the others (the parts it shares with at least one
//! of them), and its evidence. Its k-gram set is that copy's k-grams found in any other
//! copy, against which each child's edge figures are computed.
//!
//! Cost: linear in the pairs of the groups, plus one sorted-set lookup per k-gram of the
//! anchor copy and group member.

use std::collections::BTreeMap;

use ahash::{AHashMap, AHashSet};
use petgraph::unionfind::UnionFind;

use super::direction::{
    Cue, Cues, Orientation, names_match, normalize_name, same_outlet, third_party_credits,
};
use super::siblings::{PairIndex, count_in, intersection, slack};
use super::{EdgeKind, EdgeSpan, InferredSource, LineageEdge, PairEvidence};
use crate::matching::Method;
use crate::passage::merge_ranges;
use crate::shingle::ShingleSet;

/// Members of a group checked for a pair's shared edits.
const MAX_WITNESSES: usize = 16;

/// A group of copies of one unseen story.
pub(super) struct Group {
    /// The credited outlet (normalised name); empty when the copies credit no one.
    pub outlet: String,
    /// Documents, ascending.
    pub members: Vec<u32>,
    /// Pairs inside the group that are siblings (dropped).
    pub siblings: Vec<usize>,
}

/// Whether a document shares text with one of an outlet's documents, per (document,
/// outlet): the copy at the centre of thousands of links is looked at once, not once per
/// link.
type FromOutlet = AHashMap<(u32, String), bool>;

/// The common third-party credit of a pair, when neither end's outlet shares their text.
fn common_credit(
    cues: &Cues,
    index: &PairIndex,
    e: &PairEvidence,
    seen: &mut FromOutlet,
) -> Option<String> {
    let docs = cues.docs;
    let (da, db) = (&docs[e.a as usize], &docs[e.b as usize]);
    let ca = third_party_credits(&cues.bylines[e.a as usize], da);
    let cb = third_party_credits(&cues.bylines[e.b as usize], db);
    let outlet = ca
        .iter()
        .find(|x| cb.iter().any(|y| x == &y || names_match(x, y)))?;
    let mut from_outlet = |d: u32| {
        *seen.entry((d, outlet.to_string())).or_insert_with(|| {
            index.neighbours(d).iter().any(|&(n, _)| {
                docs[n as usize]
                    .source
                    .as_deref()
                    .is_some_and(|s| names_match(outlet, s))
            })
        })
    };
    if from_outlet(e.a) || from_outlet(e.b) {
        return None;
    }
    Some(outlet.to_string())
}

/// Whether a pair that no credit explains may be two outlets' copies of one unseen story:
/// published close together by two different outlets, neither of which acts as a wire,
/// neither naming a source in a byline, and neither with a decided source other than the
/// other. Such pairs form a group only when it spans three outlets or more (see
/// [`groups`]).
fn close_copies(
    cues: &Cues,
    e: &PairEvidence,
    orientation: &Orientation,
    has_other_source: &dyn Fn(u32, u32) -> bool,
) -> bool {
    let docs = cues.docs;
    let (da, db) = (&docs[e.a as usize], &docs[e.b as usize]);
    matches!(orientation.cue, Cue::Date | Cue::None)
        && da.source.is_some()
        && db.source.is_some()
        && !same_outlet(da, db)
        && cues.close_in_time(e.a, e.b)
        && !cues.wires.is_wire(da.source.as_deref())
        && !cues.wires.is_wire(db.source.as_deref())
        && third_party_credits(&cues.bylines[e.a as usize], da).is_empty()
        && third_party_credits(&cues.bylines[e.b as usize], db).is_empty()
        && !has_other_source(e.a, e.b)
        && !has_other_source(e.b, e.a)
}

/// Outlets a group must span before copies that credit no one are taken for siblings of
/// an unseen story: with two, one outlet's own story and another's copy of it look the same
/// (an agency story and the newspaper that ran it, a day later).
const MIN_UNCREDITED_OUTLETS: usize = 3;

/// The pairs that may be two copies of one unseen story, with the outlet both credit (empty
/// for copies that credit no one but were published close together, see
/// [`close_copies`]). Pairs already dropped or directed by a credit or a wire are not.
fn co_credited(
    cues: &Cues,
    pairs: &[PairEvidence],
    orientations: &[Orientation],
    dropped: &[Option<u32>],
    index: &PairIndex,
) -> Vec<(usize, String)> {
    // Decided sources of each document among the links that stay.
    let mut sources_of: AHashMap<u32, Vec<u32>> = AHashMap::new();
    for (pi, o) in orientations.iter().enumerate() {
        if dropped[pi].is_none() && o.directed {
            sources_of.entry(o.child).or_default().push(o.parent);
        }
    }
    let has_other_source = |d: u32, other: u32| {
        sources_of
            .get(&d)
            .is_some_and(|ps| ps.iter().any(|&p| p != other))
    };
    // A byline naming the other end's outlet (`Originally published by Outlet A`) says the
    // one copied the other, whatever decided their direction (dates apart, say).
    let names_other = |x: u32, y: u32| {
        let outlet = cues.docs[y as usize].source.as_deref();
        outlet.is_some_and(|o| cues.bylines[x as usize].iter().any(|b| names_match(b, o)))
    };
    let mut co_credit: Vec<(usize, String)> = Vec::new();
    let mut seen = FromOutlet::new();
    for (pi, e) in pairs.iter().enumerate() {
        if dropped[pi].is_some()
            || matches!(orientations[pi].cue, Cue::Credit | Cue::Wire)
            || names_other(e.a, e.b)
            || names_other(e.b, e.a)
        {
            continue;
        }
        if let Some(outlet) = common_credit(cues, index, e, &mut seen) {
            co_credit.push((pi, outlet));
        } else if close_copies(cues, e, &orientations[pi], &has_other_source) {
            co_credit.push((pi, String::new()));
        }
    }
    co_credit
}

/// Groups of copies that credit one absent outlet — or, crediting no one, that three or more
/// outlets published close together with no source in the corpus — and which of their
/// pairs are siblings.
pub(super) fn groups(
    cues: &Cues,
    pairs: &[PairEvidence],
    orientations: &[Orientation],
    dropped: &[Option<u32>],
    shingles: &[ShingleSet],
    index: &PairIndex,
) -> Vec<Group> {
    let co_credit = co_credited(cues, pairs, orientations, dropped, index);
    if co_credit.is_empty() {
        return Vec::new();
    }
    let mut uf = UnionFind::<u32>::new(cues.docs.len());
    for (pi, _) in &co_credit {
        uf.union(pairs[*pi].a, pairs[*pi].b);
    }
    // Per group root: members, co-credit pairs, and how often each outlet is credited.
    type Forming = (Vec<u32>, Vec<usize>, BTreeMap<String, usize>);
    let mut by_root: BTreeMap<u32, Forming> = BTreeMap::new();
    for (pi, outlet) in co_credit {
        let e = &pairs[pi];
        let g = by_root.entry(uf.find(e.a)).or_default();
        g.0.extend([e.a, e.b]);
        g.1.push(pi);
        *g.2.entry(outlet).or_default() += 1;
    }
    let docs = cues.docs;
    let outlets_spanned = |members: &[u32]| {
        let mut names: Vec<String> = members
            .iter()
            .filter_map(|&m| docs[m as usize].source.as_deref().map(normalize_name))
            .collect();
        names.sort_unstable();
        names.dedup();
        names.len()
    };
    by_root
        .into_values()
        .filter_map(|(mut members, group_pairs, outlets)| {
            members.sort_unstable();
            members.dedup();
            // The outlet most credited; no outlet only when none is.
            let outlet = outlets
                .iter()
                .max_by(|x, y| {
                    (!x.0.is_empty())
                        .cmp(&!y.0.is_empty())
                        .then(x.1.cmp(y.1))
                        .then(y.0.cmp(x.0))
                })
                .map(|(o, _)| o.clone())
                .unwrap_or_default();
            if outlet.is_empty() && outlets_spanned(&members) < MIN_UNCREDITED_OUTLETS {
                return None;
            }
            let siblings = group_pairs
                .into_iter()
                .filter(|&pi| !shares_edits(pairs, pi, &members, shingles, index))
                .collect();
            Some(Group {
                outlet,
                members,
                siblings,
            })
        })
        .collect()
}

/// Whether the two ends of a pair share text that no other copy of the group holds: an
/// edit that went from one to the other.
///
/// Three copies cannot tell this (a word the third changed looks exactly like a word the
/// two changed alike), so it takes at least two *witnesses*: other copies linked to both
/// that hold at least half of what the two share. What one witness deleted, another
/// usually kept, so only text that none of them holds counts.
fn shares_edits(
    pairs: &[PairEvidence],
    pi: usize,
    members: &[u32],
    shingles: &[ShingleSet],
    index: &PairIndex,
) -> bool {
    let e = &pairs[pi];
    if shingles.is_empty() {
        return false;
    }
    let xy = intersection(&shingles[e.a as usize], &shingles[e.b as usize]);
    // Members linked to both ends, from the shorter adjacency list: a group of thousands
    // of copies costs each pair its ends' links, not the whole group.
    let witnesses: Vec<&[u64]> = index
        .common(e.a, e.b)
        .map(|(c, _, _)| c)
        .filter(|c| members.binary_search(c).is_ok())
        .map(|c| shingles[c as usize].as_slice())
        .filter(|set| count_in(&xy, set, usize::MAX).unwrap_or(0) * 2 >= xy.len())
        .take(MAX_WITNESSES)
        .collect();
    if witnesses.len() < 2 {
        return false;
    }
    let own = xy
        .iter()
        .filter(|h| !witnesses.iter().any(|set| set.binary_search(h).is_ok()))
        .count();
    own > slack(xy.len())
}

/// A shared span seen from the anchor copy: its characters there and in the other copy,
/// and its words in both.
type SpanSides = ((usize, usize), (usize, usize), usize, usize);

/// A document's character ranges merged, and where each begins in their concatenation.
struct Pieces {
    ranges: Vec<(usize, usize)>,
    starts: Vec<usize>,
}

const JOIN: &str = " … ";

impl Pieces {
    fn new(ranges: Vec<(usize, usize)>) -> Self {
        let merged = merge_ranges(ranges);
        let mut starts = Vec::with_capacity(merged.len());
        let mut at = 0;
        for (s, e) in &merged {
            starts.push(at);
            at += e - s + JOIN.chars().count();
        }
        Pieces {
            ranges: merged,
            starts,
        }
    }

    /// The reconstruction's offsets of a range of the anchor text inside one piece.
    fn map(&self, (s, e): (usize, usize)) -> Option<(usize, usize)> {
        let i = self.ranges.iter().position(|&(a, b)| a <= s && s < b)?;
        let (a, b) = self.ranges[i];
        Some((self.starts[i] + s - a, self.starts[i] + e.min(b) - a))
    }

    fn text(&self, anchor: &str) -> String {
        let chars: Vec<char> = anchor.chars().collect();
        self.ranges
            .iter()
            .map(|&(s, e)| {
                chars[s.min(chars.len())..e.min(chars.len())]
                    .iter()
                    .collect()
            })
            .collect::<Vec<String>>()
            .join(JOIN)
    }
}

/// The inferred source of a group, its edges to the copies, and the pairs of copies
/// outside the group that it explains (to be dropped).
pub(super) fn infer(
    group: &Group,
    node: u32,
    id: String,
    cues: &Cues,
    pairs: &[PairEvidence],
    shingles: &[ShingleSet],
    index: &PairIndex,
) -> (InferredSource, Vec<LineageEdge>, Vec<usize>) {
    let docs = cues.docs;
    let members = &group.members;
    let common = Common::of(members, pairs, shingles, index);
    let text = common.pieces.text(&docs[common.anchor as usize].text);
    // The earliest copy: its date bounds the unseen story's, and only later documents of
    // an unattributed group's story may join it as outside copies.
    let earliest = members
        .iter()
        .filter_map(|&m| docs[m as usize].timestamp.map(|t| (t, m)))
        .min();
    let date = earliest.and_then(|(_, m)| docs[m as usize].date.clone());
    let outlet = group.outlet.clone();
    let evidence = evidence(members.len(), &outlet);
    let (outside, dropped) = if common.set.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        let earliest = earliest.map(|(t, _)| t);
        outside_copies(group, cues, pairs, shingles, index, &common.set, earliest)
    };
    let children: Vec<u32> = members.iter().copied().chain(outside).collect();
    let reason = if outlet.is_empty() {
        format!("copy of an inferred source ({evidence})")
    } else {
        format!("credits '{outlet}': copy of an inferred source ({evidence})")
    };
    let edges = children
        .iter()
        .map(|&m| {
            let spans = common.spans_to(m, members, pairs, index);
            common.edge(node, m, shingles.get(m as usize), spans, reason.clone())
        })
        .collect();
    let source = InferredSource {
        id,
        outlet: (!outlet.is_empty()).then_some(outlet),
        date,
        text,
        evidence,
        children,
        shingles: common.set.len(),
    };
    (source, edges, dropped)
}

/// Why a group stands for an unseen story.
fn evidence(copies: usize, outlet: &str) -> String {
    if outlet.is_empty() {
        format!(
            "{copies} copies from three or more outlets published close together, crediting no one, with no source in the corpus, and none carries another's edits: their common text stands for an unseen story"
        )
    } else {
        format!(
            "{copies} copies credit '{outlet}', which has no document in the corpus, and none carries another's edits: their common text stands for that outlet's story"
        )
    }
}

/// What the copies of a group hold in common, seen from one of them.
struct Common {
    /// The copy that shares most with the others: its text stands for the source's.
    anchor: u32,
    /// The anchor's ranges that another copy shares.
    pieces: Pieces,
    /// The anchor's k-grams that another copy holds too: the source's k-grams.
    set: Vec<u64>,
}

impl Common {
    fn of(
        members: &[u32],
        pairs: &[PairEvidence],
        shingles: &[ShingleSet],
        index: &PairIndex,
    ) -> Self {
        // Each member's links into the group, counted once: linear in the group's pairs,
        // however many copies it has.
        let shared_with_group = |m: u32| -> usize {
            index
                .links_into(m, members)
                .map(|(_, p)| pairs[p].shared_shingles)
                .sum()
        };
        let anchor = members
            .iter()
            .map(|&m| (m, shared_with_group(m)))
            .max_by(|&(x, nx), &(y, ny)| nx.cmp(&ny).then(y.cmp(&x)))
            .map_or(members[0], |(m, _)| m);
        let mut ranges = Vec::new();
        for &m in members.iter().filter(|&&m| m != anchor) {
            if let Some(p) = index.pair(anchor, m) {
                ranges.extend(anchor_sides(&pairs[p], anchor).into_iter().map(|s| s.0));
            }
        }
        let set: Vec<u64> = if shingles.is_empty() {
            Vec::new()
        } else {
            held_by_others(&shingles[anchor as usize], members, anchor, shingles)
        };
        Common {
            anchor,
            pieces: Pieces::new(ranges),
            set,
        }
    }

    /// The spans of the edge to copy `m`: the source's text is the anchor's pieces.
    fn spans_to(
        &self,
        m: u32,
        members: &[u32],
        pairs: &[PairEvidence],
        index: &PairIndex,
    ) -> Vec<EdgeSpan> {
        let span = |source: (usize, usize), copy, source_words, copy_words| {
            Some(EdgeSpan {
                parent_chars: self.pieces.map(source)?,
                child_chars: copy,
                parent_first_word: 0,
                parent_words: source_words,
                child_words: copy_words,
                similarity: 1.0,
            })
        };
        if m == self.anchor {
            self.pieces
                .ranges
                .iter()
                .filter_map(|&r| {
                    let words = anchor_words(pairs, index, members, self.anchor, r);
                    span(r, r, words, words)
                })
                .collect()
        } else {
            index
                .pair(self.anchor, m)
                .map(|p| {
                    anchor_sides(&pairs[p], self.anchor)
                        .into_iter()
                        .filter_map(|(a, c, aw, cw)| span(a, c, aw, cw))
                        .collect()
                })
                .unwrap_or_default()
        }
    }

    /// The edge from the source (node `source`) to copy `m`, whose k-grams are `own` (none
    /// when the k-grams were not kept): its kind and figures against the source's k-grams.
    fn edge(
        &self,
        source: u32,
        m: u32,
        own: Option<&ShingleSet>,
        spans: Vec<EdgeSpan>,
        reason: String,
    ) -> LineageEdge {
        let inter = own.map_or(0, |own| count_in(&self.set, own, usize::MAX).unwrap_or(0));
        let own = own.map_or(0, |s| s.len());
        let share = |n: usize| if n == 0 { 0.0 } else { inter as f64 / n as f64 };
        let union = own + self.set.len() - inter;
        let (containment, coverage) = (share(own), share(self.set.len()));
        let kind = if containment >= 0.999 && coverage >= 0.999 {
            EdgeKind::Verbatim
        } else if containment >= 0.8 && coverage >= 0.8 {
            EdgeKind::NearDuplicate
        } else if coverage >= 0.9 {
            EdgeKind::Extended
        } else {
            EdgeKind::Excerpt
        };
        LineageEdge {
            parent: source,
            child: m,
            kind,
            similarity: share(union),
            containment,
            parent_coverage: coverage,
            spans,
            time_lag_seconds: None,
            reason,
            method: Method::InferredSource,
            directed: true,
        }
    }
}

/// A pair's spans seen from `anchor`: (anchor range, other range, anchor words, other
/// words).
fn anchor_sides(p: &PairEvidence, anchor: u32) -> Vec<SpanSides> {
    p.spans
        .iter()
        .map(|s| {
            if p.a == anchor {
                (s.a_chars, s.b_chars, s.a_words, s.b_words)
            } else {
                (s.b_chars, s.a_chars, s.b_words, s.a_words)
            }
        })
        .collect()
}

/// Copies outside the group that quote the same story with nothing shared with a member
/// beyond it — crediting the same outlet in any form (`as Xinhua reported`) or, from
/// another known outlet, crediting no one and not dated before the group's earliest copy
/// (`earliest`); for a group that credits no one, published after its earliest copy:
/// they are children of the source too, and their pairs with members (returned second)
/// are explained by it.
fn outside_copies(
    group: &Group,
    cues: &Cues,
    pairs: &[PairEvidence],
    shingles: &[ShingleSet],
    index: &PairIndex,
    source_set: &[u64],
    earliest: Option<i64>,
) -> (Vec<u32>, Vec<usize>) {
    let (docs, members) = (cues.docs, &group.members);
    let mut outside: Vec<u32> = members
        .iter()
        .flat_map(|&m| index.neighbours(m).iter().map(|&(n, _)| n))
        .filter(|n| members.binary_search(n).is_err())
        .collect();
    outside.sort_unstable();
    outside.dedup();
    let via_source = |p: usize| {
        let xy = intersection(
            &shingles[pairs[p].a as usize],
            &shingles[pairs[p].b as usize],
        );
        count_in(&xy, source_set, slack(xy.len())).is_some()
    };
    let (mut children, mut dropped) = (Vec::new(), Vec::new());
    for n in outside {
        let joins = if group.outlet.is_empty() {
            // Copies that credit no one: a later document is a copy of the story too;
            // an earlier or undated one could be the story itself, so it stays out.
            earliest
                .zip(docs[n as usize].timestamp)
                .is_some_and(|(e, t)| t > e)
        } else {
            // A copy crediting the outlet in any form; or one that credits no one (an
            // excerpt from the middle of the story, without its dateline), from another
            // known outlet, not dated before the earliest copy: the story's own outlet
            // would have blocked the group, so it is a copy too.
            let doc = &docs[n as usize];
            let credits = third_party_credits(&cues.credited[n as usize], doc);
            credits
                .iter()
                .any(|c| *c == group.outlet || names_match(c, &group.outlet))
                || (credits.is_empty()
                    && doc
                        .source
                        .as_deref()
                        .is_some_and(|s| !names_match(&group.outlet, s))
                    && earliest.zip(doc.timestamp).is_none_or(|(e, t)| t >= e))
        };
        if !joins {
            continue;
        }
        let links: Vec<usize> = index.links_into(n, members).map(|(_, p)| p).collect();
        if links.iter().all(|&p| via_source(p)) {
            dropped.extend(links);
            children.push(n);
        }
    }
    (children, dropped)
}

/// The k-grams of `anchor` (its sorted set) that another member holds too. Each other
/// member's k-grams are looked up in the anchor's set, until every one of them is found:
/// linear in the group's k-grams, not the anchor's times the members.
fn held_by_others(
    anchor_set: &[u64],
    members: &[u32],
    anchor: u32,
    shingles: &[ShingleSet],
) -> Vec<u64> {
    let mut held = vec![false; anchor_set.len()];
    let mut left = anchor_set.len();
    for &m in members.iter().filter(|&&m| m != anchor) {
        if left == 0 {
            break;
        }
        for h in shingles[m as usize].iter() {
            if let Ok(i) = anchor_set.binary_search(h)
                && !held[i]
            {
                held[i] = true;
                left -= 1;
            }
        }
    }
    anchor_set
        .iter()
        .zip(held)
        .filter_map(|(&h, held)| held.then_some(h))
        .collect()
}

/// Words of an anchor range, from the widest shared span inside it.
fn anchor_words(
    pairs: &[PairEvidence],
    index: &PairIndex,
    members: &[u32],
    anchor: u32,
    (s, e): (usize, usize),
) -> usize {
    index
        .links_into(anchor, members)
        .flat_map(|(_, p)| {
            let p = &pairs[p];
            p.spans.iter().map(move |sp| {
                if p.a == anchor {
                    (sp.a_chars, sp.a_words)
                } else {
                    (sp.b_chars, sp.b_words)
                }
            })
        })
        .filter(|&((a, b), _)| a >= s && b <= e)
        .map(|(_, w)| w)
        .max()
        .unwrap_or(0)
}

/// An id no document has: `inferred:OUTLET:N`, with `~` appended while it clashes.
pub(super) fn unique_id(outlet: &str, n: usize, taken: &AHashSet<&str>) -> String {
    let slug: String = if outlet.is_empty() {
        "unattributed".to_string()
    } else {
        outlet.split_whitespace().collect::<Vec<_>>().join("-")
    };
    let mut id = format!("inferred:{slug}:{n}");
    while taken.contains(id.as_str()) {
        id.push('~');
    }
    id
}
