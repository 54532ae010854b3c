//! Stock phrases and templates: wording that many unrelated stories share is the house
//! style of news, not evidence that one story copied another.
//!
//! Wire copy is written in formulas. Two bond notices read "… is issuing a 100 mln dlr
//! eurobond due 1992 paying 8-1/2 pct …, said lead manager X" word for word except for the
//! issuer, the amount and the coupon; every weekly stock report says "… in the week ended
//! … to … mln barrels from … mln the previous week, the American Petroleum Institute said";
//! "did not immediately respond to a request for comment" closes thousands of stories.
//! Aligned verbatim, such pairs look like passages, and as lineage evidence they chain
//! unrelated stories into one family. A passage found by [`crate::passage::align`] is
//! judged here, on two kinds of evidence, before it may count as reuse:
//!
//! 1. **Stock phrases, learned from the corpus.** A word k-gram found in at least
//!    `min_stories` unrelated stories (documents of one near-duplicate or containment
//!    family count once, as for boilerplate) is formulaic. An exact run of shared words
//!    made only of formulaic k-grams and shorter than [`STOCK_RUN_MAX_WORDS`] — a phrase or
//!    a sentence, not a paragraph — is a stock phrase. A passage whose shared words outside
//!    stock phrases are fewer than half the least passage length is made of formulas: this
//!    is also what stops the gap rule from joining two stock sentences into one passage.
//!    A lifted paragraph is longer than a sentence, so a wire paragraph quoted by fifty
//!    outlets stays reuse however common it is.
//! 2. **Frames: same wording, different specifics.** A template repeats its wording and
//!    changes its *specifics* — numbers, and names (words capitalised in the original text
//!    that do not begin a sentence or a paragraph). A passage tells two events in one
//!    formula when its two sides both carry figures and share at most half of the smaller
//!    side's, or both carry two names or more and share fewer than half, or when each side
//!    has three or more specifics of its own, at least a quarter as many as they share —
//!    two bond notices by one lead manager share its name and the denominations, not the
//!    issuer, the coupon or the dates; an edited copy adds a name, not three. A copy carries its
//!    source's figures and names: a story re-sent with the same figures stays reuse.
//!
//! 3. **Shared quotes.** A passage that lies inside quotation marks in both texts is two
//!    write-ups quoting one speaker — pages on one event share the minister's words —
//!    not one copying the other. It is listed with `"kind": "quote"`, never lineage
//!    evidence; a copy of a story that quotes someone shares the text around the quote
//!    too, and that stays reuse.
//!
//! A passage judged so is a [`TemplateSpan`]: listed by `passages` with `"kind":
//! "template"`, grouped into *frames* (template passages that share most of their
//! wording, found by min-hash keys, with the number of stories using the frame) for
//! `passages` and `audit`, and never lineage evidence.
//!
//! Cost: stock phrases are counted in 16 hash shards of the content k-gram sets (one
//! sort each, a sixteenth of the k-grams in memory at a time); judging a passage reads its
//! own tokens once.

use std::ops::Range;

use ahash::{AHashMap, AHashSet};
use petgraph::unionfind::UnionFind;
use rayon::prelude::*;
use serde::Serialize;

use crate::normalize::Token;
use crate::passage::{MatchRun, Passage, SharedSpan, merge_ranges};
use crate::shingle::ShingleSet;

/// Exact runs of formulaic k-grams shorter than this many words are stock phrases; a run
/// this long is a paragraph lifted from somewhere, however common.
pub const STOCK_RUN_MAX_WORDS: usize = 25;

/// Hash shards in which stock phrases are counted.
const SHARDS: u64 = 16;

/// The formulaic k-grams of a corpus: those found in at least `min_stories` unrelated
/// stories.
#[derive(Debug, Clone, Default)]
pub struct StockPhrases {
    formulaic: AHashSet<u64>,
    min_stories: usize,
}

impl StockPhrases {
    /// Learns the formulaic k-grams from each document's sorted, distinct content k-gram
    /// hashes and its story (documents of one story share a label). `min_stories == 0`
    /// learns nothing.
    pub fn learn(kgrams: &[ShingleSet], story: &[u32], min_stories: usize) -> Self {
        let stories: AHashSet<u32> = story.iter().copied().collect();
        if min_stories == 0 || stories.len() < min_stories {
            return StockPhrases {
                formulaic: AHashSet::new(),
                min_stories,
            };
        }
        let shards: Vec<Vec<u64>> = (0..SHARDS)
            .into_par_iter()
            .map(|shard| {
                let mut seen: Vec<(u64, u32)> = kgrams
                    .iter()
                    .zip(story)
                    .flat_map(|(set, &s)| {
                        set.iter()
                            .filter(move |&&h| h % SHARDS == shard)
                            .map(move |&h| (h, s))
                    })
                    .collect();
                seen.sort_unstable();
                seen.dedup();
                seen.chunk_by(|x, y| x.0 == y.0)
                    .filter(|g| g.len() >= min_stories)
                    .map(|g| g[0].0)
                    .collect()
            })
            .collect();
        StockPhrases {
            formulaic: shards.into_iter().flatten().collect(),
            min_stories,
        }
    }

    /// Is this k-gram formulaic?
    pub fn contains(&self, kgram: u64) -> bool {
        self.formulaic.contains(&kgram)
    }

    /// Number of formulaic k-grams.
    pub fn len(&self) -> usize {
        self.formulaic.len()
    }

    /// Whether no k-gram is formulaic.
    pub fn is_empty(&self) -> bool {
        self.formulaic.is_empty()
    }

    /// The least number of unrelated stories that makes a k-gram formulaic.
    pub fn min_stories(&self) -> usize {
        self.min_stories
    }
}

/// One side of an aligned pair: the original text, its content tokens and their k-gram
/// hashes (position i = the k-gram starting at token i).
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    /// Original text.
    pub text: &'a str,
    /// Content tokens (boilerplate removed).
    pub tokens: &'a [Token],
    /// Word k-gram hashes of `tokens`.
    pub kgrams: &'a [u64],
}

/// Why a passage is a template rather than reuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TemplateReason {
    /// Its shared words are stock phrases of the corpus.
    StockPhrases,
    /// Same wording, different numbers or names.
    Frame,
    /// Words inside quotation marks in both texts: two write-ups quoting one speaker.
    Quote,
}

impl TemplateReason {
    /// Name used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            TemplateReason::StockPhrases => "stock-phrases",
            TemplateReason::Frame => "frame",
            TemplateReason::Quote => "quote",
        }
    }
}

/// Judges one aligned passage: `None` when it is reuse, else why it is a template.
/// `k` is the k-gram length, `min_words` the least passage length.
pub fn judge(
    p: &Passage,
    a: Side,
    b: Side,
    stock: &StockPhrases,
    k: usize,
    min_words: usize,
) -> Option<TemplateReason> {
    if own_words(&p.runs, a.kgrams, stock, k) * 2 < min_words {
        return Some(TemplateReason::StockPhrases);
    }
    let bytes = |side: &Side, r: &Range<usize>| {
        side.tokens
            .get(r.start)
            .zip(side.tokens.get(r.end.wrapping_sub(1)))
            .map(|(f, l)| (f.start, l.end))
    };
    if let (Some((sa, ea)), Some((sb, eb))) = (bytes(&a, &p.a_tokens), bytes(&b, &p.b_tokens))
        && quoted(a.text, sa, ea)
        && quoted(b.text, sb, eb)
    {
        return Some(TemplateReason::Quote);
    }
    other_specifics(a, p.a_tokens.clone(), b, p.b_tokens.clone()).then_some(TemplateReason::Frame)
}

/// Do the two sides of a passage (token ranges of `a` and `b`) tell two events in one
/// wording — both carry figures and share at most half of the smaller side's, or two
/// names or more and share fewer than half, or each has three or more specifics of its
/// own, at least a quarter as many as they share? (The frame test of [`judge`], also
/// applied to rewritten passages by [`crate::paraphrase`].)
pub fn other_specifics(a: Side, a_range: Range<usize>, b: Side, b_range: Range<usize>) -> bool {
    let sa = Specifics::of(a.text, a.tokens, a_range);
    let sb = Specifics::of(b.text, b.tokens, b_range);
    // Shared specifics, twice over, against the smaller side's count.
    fn share<T: std::hash::Hash + Eq>(x: &AHashSet<T>, y: &AHashSet<T>) -> (usize, usize) {
        (2 * x.intersection(y).count(), x.len().min(y.len()))
    }
    let (numbers, fewer_numbers) = share(&sa.numbers, &sb.numbers);
    let (names, fewer_names) = share(&sa.names, &sb.names);
    let other_figures = fewer_numbers >= 1 && numbers <= fewer_numbers;
    let other_names = fewer_names >= 2 && names < fewer_names;
    // Or, over both kinds: each side has three or more of its own, at least a quarter as
    // many as the two share.
    let shared = sa.numbers.intersection(&sb.numbers).count() + names / 2;
    let own = |x: &Specifics| x.numbers.len() + x.names.len() - shared;
    let fewest_own = own(&sa).min(own(&sb));
    let other_specifics = fewest_own >= 3 && fewest_own * 4 >= shared;
    other_figures || other_names || other_specifics
}

/// Is the text at bytes `start..end` all inside one quotation: no quotation mark within,
/// the last one before it in its paragraph opens a quotation and the next one after it
/// closes one?
pub fn quoted(text: &str, start: usize, end: usize) -> bool {
    const OPEN: [char; 5] = ['“', '«', '「', '『', '„'];
    const CLOSE: [char; 5] = ['”', '»', '」', '』', '“'];
    let is_mark = |c: char| c == '"' || OPEN.contains(&c) || CLOSE.contains(&c);
    let (Some(before), Some(inside), Some(after)) =
        (text.get(..start), text.get(start..end), text.get(end..))
    else {
        return false;
    };
    let before = &before[before.rfind("\n\n").map_or(0, |i| i + 2)..];
    let after = &after[..after.find("\n\n").unwrap_or(after.len())];
    if inside.chars().any(is_mark) {
        return false;
    }
    let opens = match before.chars().rev().find(|&c| is_mark(c)) {
        Some('"') => before.matches('"').count() % 2 == 1,
        Some(c) => OPEN.contains(&c),
        None => false,
    };
    let closes = match after.chars().find(|&c| is_mark(c)) {
        Some('"') => true,
        Some(c) => CLOSE.contains(&c),
        None => false,
    };
    opens && closes
}

/// Shared words of the passage outside stock phrases.
fn own_words(runs: &[MatchRun], kgrams: &[u64], stock: &StockPhrases, k: usize) -> usize {
    let own: Vec<(usize, usize)> = runs
        .iter()
        .filter(|r| {
            let last = (r.a + r.words + 1).saturating_sub(k); // k-grams r.a..last
            let is_stock = !stock.is_empty()
                && r.words < STOCK_RUN_MAX_WORDS
                && kgrams
                    .get(r.a..last)
                    .is_some_and(|g| g.iter().all(|&h| stock.contains(h)));
            !is_stock
        })
        .map(|r| (r.a, r.a + r.words))
        .collect();
    merge_ranges(own).iter().map(|(s, e)| e - s).sum()
}

/// The numbers and names of one side of a passage. Numbers are read from the text itself
/// (a figure glued to a word, `15افراد`, or written `2,500,000`, is the same figure);
/// names are normalised token hashes.
#[derive(Debug, Default)]
struct Specifics {
    numbers: AHashSet<String>,
    names: AHashSet<u64>,
}

impl Specifics {
    fn of(text: &str, tokens: &[Token], range: Range<usize>) -> Self {
        let mut s = Specifics::default();
        let Some((first, last)) = tokens
            .get(range.clone())
            .and_then(|t| t.first().zip(t.last()))
        else {
            return s;
        };
        s.numbers = numbers(&text[first.start..last.end]);
        for t in &tokens[range] {
            let word = &text[t.start..t.end];
            if !word.chars().any(char::is_numeric) && is_name(text, word, t.start) {
                s.names.insert(t.hash);
            }
        }
        s
    }
}

/// The figures in a text: runs of digits, with the `.`, `,`, `/` and `-` between digits
/// kept (`8-1/2` is one figure) and thousands commas dropped.
fn numbers(text: &str) -> AHashSet<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = AHashSet::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let joins = matches!(c, '.' | ',' | '/' | '-')
            && !current.is_empty()
            && chars.get(i + 1).is_some_and(|n| n.is_numeric());
        if c.is_numeric() || joins {
            if c != ',' {
                current.push(c);
            }
        } else if !current.is_empty() {
            out.insert(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.insert(current);
    }
    out
}

/// A word capitalised in running text: not all capitals (a headline), not the first word
/// of a sentence or a paragraph (a line break alone is wrapping, not a new sentence).
fn is_name(text: &str, word: &str, start: usize) -> bool {
    let mut chars = word.chars();
    if !chars.next().is_some_and(char::is_uppercase) || !chars.any(char::is_lowercase) {
        return false;
    }
    let mut breaks = 0;
    for c in text[..start].chars().rev() {
        if c == '\n' {
            breaks += 1;
            if breaks == 2 {
                return false;
            }
        } else if !c.is_whitespace() {
            return !matches!(
                c,
                '.' | '!' | '?' | ':' | ';' | '"' | '“' | '”' | '\'' | '(' | '-' | '—' | '–'
            );
        }
    }
    false
}

/// A template passage between two documents.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TemplateSpan {
    /// Where it lies in both texts.
    pub span: SharedSpan,
    /// Why it is a template.
    pub reason: TemplateReason,
    /// The frame it belongs to (index into [`Frames::frames`]).
    pub frame: usize,
}

/// Template passages that share wording: one formula used by several stories.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Frame {
    /// The shared wording, as in the first document that uses it, with `…` where the
    /// specifics differ.
    pub text: String,
    /// Unrelated stories using the frame.
    pub stories: usize,
    /// Documents using it.
    pub documents: usize,
    /// Template passages in it.
    pub passages: usize,
    /// Up to five documents using it (input indices).
    pub examples: Vec<u32>,
}

/// What the frame grouping found.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Frames {
    /// Frames, most stories first.
    pub frames: Vec<Frame>,
}

/// A template passage waiting for its frame: the pair, the wording shared (A-side k-gram
/// hashes of its runs) and its text with gaps.
#[derive(Debug, Clone)]
pub struct Found {
    /// First document.
    pub a: u32,
    /// Second document.
    pub b: u32,
    /// The formula's shared k-grams.
    pub kgrams: Vec<u64>,
    /// Its text, `…` for gaps.
    pub text: String,
}

impl Found {
    /// Records a template passage of documents `a` and `b`.
    pub fn new(a: u32, b: u32, p: &Passage, side: Side, k: usize) -> Self {
        let mut kgrams: Vec<u64> = p
            .runs
            .iter()
            .flat_map(|r| {
                let last = (r.a + r.words + 1).saturating_sub(k);
                side.kgrams.get(r.a..last).unwrap_or(&[]).iter().copied()
            })
            .collect();
        kgrams.sort_unstable();
        kgrams.dedup();
        Found {
            a,
            b,
            kgrams,
            text: frame_text(p, side),
        }
    }
}

const FRAME_TEXT_CHARS: usize = 300;

/// The passage's shared wording in A, with ` … ` where the two sides differ.
fn frame_text(p: &Passage, side: Side) -> String {
    let merged = merge_ranges(p.runs.iter().map(|r| (r.a, r.a + r.words)).collect());
    let mut out = String::new();
    for (i, (s, e)) in merged.into_iter().enumerate() {
        let (Some(first), Some(last)) = (side.tokens.get(s), side.tokens.get(e - 1)) else {
            continue;
        };
        if i > 0 {
            out.push_str(" … ");
        }
        out.push_str(&side.text[first.start..last.end]);
        if out.chars().count() > FRAME_TEXT_CHARS {
            break;
        }
    }
    let words: Vec<&str> = out.split_whitespace().collect();
    let joined = words.join(" ");
    match joined.char_indices().nth(FRAME_TEXT_CHARS) {
        Some((cut, _)) => format!("{}…", &joined[..cut]),
        None => joined,
    }
}

/// Min-hash keys per template passage, each the two least hashes of its wording under one
/// permutation: passages of one frame share most of their wording, so they share a key
/// with probability about 1 − (1 − J²)⁴ for wording Jaccard J, while two passages that
/// have one common phrase and nothing else (a frame is made of several) rarely do.
const FRAME_KEYS: u64 = 4;

/// Groups template passages into frames: passages whose wording gives the same min-hash
/// key (one of four) use one frame, so frames join by shared wording, not by
/// one common phrase. `story[d]` is document d's story label. Returns the frames, most
/// stories first, and each passage's frame, in input order.
pub fn group(found: &[Found], story: &[u32]) -> (Frames, Vec<usize>) {
    let labels = shared_wording(found);
    // Components in order of their first passage.
    let mut component: AHashMap<usize, usize> = AHashMap::new();
    let mut members: Vec<Vec<usize>> = Vec::new();
    for (i, &l) in labels.iter().enumerate() {
        let c = *component.entry(l).or_insert_with(|| {
            members.push(Vec::new());
            members.len() - 1
        });
        members[c].push(i);
    }
    let mut frames: Vec<(Frame, usize)> = members
        .iter()
        .enumerate()
        .map(|(c, m)| {
            let mut docs: Vec<u32> = m.iter().flat_map(|&i| [found[i].a, found[i].b]).collect();
            docs.sort_unstable();
            docs.dedup();
            let stories: AHashSet<u32> = docs.iter().map(|&d| story[d as usize]).collect();
            // The wording most of its passages show: the longest text among them.
            let text = m
                .iter()
                .map(|&i| &found[i].text)
                .max_by(|x, y| x.len().cmp(&y.len()).then(y.cmp(x)))
                .cloned()
                .unwrap_or_default();
            (
                Frame {
                    text,
                    stories: stories.len(),
                    documents: docs.len(),
                    passages: m.len(),
                    examples: docs.iter().take(5).copied().collect(),
                },
                c,
            )
        })
        .collect();
    frames.sort_by(|x, y| {
        y.0.stories
            .cmp(&x.0.stories)
            .then(y.0.passages.cmp(&x.0.passages))
            .then(x.1.cmp(&y.1))
    });
    let mut rank = vec![0; frames.len()];
    for (r, (_, c)) in frames.iter().enumerate() {
        rank[*c] = r;
    }
    let of_passage = labels.iter().map(|l| rank[component[l]]).collect();
    (
        Frames {
            frames: frames.into_iter().map(|(f, _)| f).collect(),
        },
        of_passage,
    )
}

/// Each passage's component under "shares a min-hash key of its wording" (a union-find
/// labelling, in input order).
fn shared_wording(found: &[Found]) -> Vec<usize> {
    let mut slot: AHashMap<(u64, u64, u64), usize> = AHashMap::new();
    let mut uf = UnionFind::<usize>::new(found.len());
    for (i, f) in found.iter().enumerate() {
        for seed in 0..FRAME_KEYS {
            let salt = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
            let (mut least, mut second) = (u64::MAX, u64::MAX);
            for h in f.kgrams.iter().map(|&h| mix(h ^ salt)) {
                if h < least {
                    (least, second) = (h, least);
                } else if h < second {
                    second = h;
                }
            }
            match slot.entry((seed, least, second)) {
                std::collections::hash_map::Entry::Occupied(j) => {
                    uf.union(i, *j.get());
                }
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(i);
                }
            }
        }
    }
    uf.into_labeling()
}

/// SplitMix64's finaliser: a fixed permutation of 64-bit values.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::tokenize;
    use crate::passage::{PassageConfig, align};
    use crate::shingle::word_shingles;

    fn judged(a: &str, b: &str, stock: &StockPhrases) -> Vec<Option<TemplateReason>> {
        let (ta, tb) = (tokenize(a), tokenize(b));
        let (ka, kb) = (word_shingles(&ta, 5), word_shingles(&tb, 5));
        let config = PassageConfig::default();
        align(&ta, &tb, &config)
            .iter()
            .map(|p| {
                judge(
                    p,
                    Side {
                        text: a,
                        tokens: &ta,
                        kgrams: &ka,
                    },
                    Side {
                        text: b,
                        tokens: &tb,
                        kgrams: &kb,
                    },
                    stock,
                    5,
                    config.min_words,
                )
            })
            .collect()
    }

    #[test]
    fn figures_are_read_from_the_text() {
        let mut got: Vec<String> =
            numbers("ہلاک 15افراد, 2,500,000 shares at 8-1/2 pct. On 20 July2014 ok")
                .into_iter()
                .collect();
        got.sort();
        assert_eq!(got, ["15", "20", "2014", "2500000", "8-1/2"]);
    }

    #[test]
    fn quotations_are_told_from_running_text() {
        let text = "The minister said: “We will cut the rate next month to help exporters.” \
                    Analysts agreed. He added \"prices will fall soon\" and left.";
        let span = |w: &str| {
            let at = text.find(w).unwrap();
            (at, at + w.len())
        };
        let (s, e) = span("We will cut the rate next month");
        assert!(quoted(text, s, e));
        let (s, e) = span("prices will fall");
        assert!(quoted(text, s, e));
        let (s, e) = span("Analysts agreed");
        assert!(!quoted(text, s, e));
        let (s, e) = span("exporters.” Analysts"); // crosses the closing mark
        assert!(!quoted(text, s, e));
    }

    #[test]
    fn names_are_capitalised_words_inside_sentences() {
        let text = "The offer by Pubco Corp was priced. Analysts said USA ok\nPubco\n\nWe";
        let name = |w: &str| {
            let at = text.find(w).unwrap();
            is_name(text, w, at)
        };
        assert!(name("Pubco"));
        assert!(is_name(text, "Pubco", text.rfind("Pubco").unwrap())); // after wrapping
        assert!(!is_name(text, "We", text.rfind("We").unwrap())); // a new paragraph
        assert!(name("Corp"));
        assert!(!name("The")); // first word
        assert!(!name("Analysts")); // begins a sentence
        assert!(!name("USA")); // all capitals
        assert!(!name("offer"));
    }

    #[test]
    fn same_wording_with_other_figures_is_a_frame_and_same_figures_are_reuse() {
        let a = "Distillate fuel stocks held in primary storage fell by 4.4 mln barrels in \
                 the week ended March 13 to 127.4 mln barrels from 131.8 mln the previous \
                 week, the American Petroleum Institute said in its weekly report today.";
        let b = "Distillate fuel stocks held in primary storage fell by 2.1 mln barrels in \
                 the week ended March 20 to 125.3 mln barrels from 127.4 mln the previous \
                 week, the American Petroleum Institute said in its weekly report today.";
        let none = StockPhrases::default();
        assert_eq!(judged(a, b, &none), [Some(TemplateReason::Frame)]);
        assert_eq!(judged(a, a, &none), [None]);
    }

    #[test]
    fn stock_phrases_learned_from_unrelated_stories_are_not_evidence() {
        let stock_a = "The ministry did not immediately respond to a request for comment.";
        let stock_b = "Analysts said the move was widely expected by markets.";
        let a = format!(
            "Farm output rose in the north after rain. {stock_a} Growers hope \
                         for more this spring as prices climb again. {stock_b}"
        );
        let b = format!(
            "The port handled more ships than a year before. {stock_a} Dock \
                         workers plan a strike next week over pay. {stock_b}"
        );
        // Twelve unrelated stories carry both stock sentences.
        let texts: Vec<String> = (0..12)
            .map(|i| format!("story {i} alpha{i} beta{i} gamma{i}. {stock_a} delta{i} {stock_b}"))
            .collect();
        let kgrams: Vec<ShingleSet> = texts
            .iter()
            .map(|t| ShingleSet::from_hashes(word_shingles(&tokenize(t), 5)))
            .collect();
        let story: Vec<u32> = (0..12).collect();
        let learned = StockPhrases::learn(&kgrams, &story, 10);
        assert!(!learned.is_empty());
        assert_eq!(judged(&a, &b, &StockPhrases::default()), [None]);
        assert_eq!(
            judged(&a, &b, &learned),
            [Some(TemplateReason::StockPhrases)]
        );
        // Nine stories are not enough.
        let few = StockPhrases::learn(&kgrams[..9], &story[..9], 10);
        assert!(few.is_empty());
    }

    #[test]
    fn frames_group_passages_that_share_wording() {
        let found = vec![
            Found {
                a: 0,
                b: 1,
                kgrams: vec![1, 2, 3],
                text: "x … y".into(),
            },
            Found {
                a: 2,
                b: 3,
                kgrams: vec![9],
                text: "z".into(),
            },
            Found {
                a: 1,
                b: 4,
                kgrams: vec![1, 2, 3],
                text: "x … y … w".into(),
            },
        ];
        let (frames, of) = group(&found, &[0, 1, 2, 2, 3]); // 2 and 3: one story
        assert_eq!(of, [0, 1, 0]);
        assert_eq!(frames.frames[0].documents, 3);
        assert_eq!(frames.frames[0].stories, 3);
        assert_eq!(frames.frames[0].passages, 2);
        assert_eq!(frames.frames[0].text, "x … y … w");
        assert_eq!(frames.frames[1].stories, 1);
    }
}
