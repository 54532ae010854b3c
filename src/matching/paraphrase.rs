//! Rewritten copy: stories reworded, reordered, shortened or merged from a source.
//!
//! A newsroom rarely runs agency copy word for word. It reorders paragraphs, swaps words
//! for synonyms, drops half the sentences and merges two wires into one story. Verbatim
//! k-grams see none of that: a newspaper story rewritten from an agency text typically
//! shares under a tenth of its word 5-grams with it. What survives a rewrite is the
//! *content words* — names, places, figures, the rarer nouns and verbs — and the order of
//! the sentences they sit in, roughly. This module finds reuse on those, in three steps
//! that follow the best PAN text-alignment systems (Sanchez-Perez, Sidorov and Gelbukh,
//! "A winning approach to text alignment for text reuse detection at PAN 2014"):
//!
//! 1. **Weights learned from the corpus.** A word is taken by its first
//!    [`STEM_CHARS`] letters (truncation: a stemmer for any language, so `announced` and
//!    `announcement` are one term). A term's weight is its inverse document frequency,
//!    `ln(1 + N / df)`; a term in more than [`FUNCTION_WORD_SHARE`] of the documents (of a
//!    corpus of at least [`MIN_DOCS_FOR_FUNCTION_WORDS`]) is a function word and carries
//!    none. Nothing is language-specific: Urdu postpositions, English articles and
//!    Chinese particles are found the same way, and CJK text is weighed per character
//!    token as it is tokenised.
//! 2. **Candidates from a looser index.** Each document is summed up by its
//!    [`ParaphraseConfig::anchors`] heaviest terms (tf·idf) among those in at least two
//!    and at most [`ParaphraseConfig::max_df`] documents — the words that say what the
//!    story is about. Two documents sharing [`ParaphraseConfig::min_shared_anchors`]
//!    anchors, published within [`ParaphraseConfig::window_seconds`] of each other when
//!    both are dated (a rewrite runs in the next day's paper, not a month later), are a
//!    candidate pair — unless both name the same outlet: one outlet's two stories on one
//!    event (a follow-up, an update, the opening and the closing price table) share its
//!    facts sentence by sentence without one rewriting the other, and its re-sent copy is
//!    verbatim, which the verbatim path finds. Each posting list is at most `max_df` long,
//!    so the work per document is bounded: candidate generation is linear in the corpus.
//! 3. **Topic words are no evidence.** Answers to one exam question, or fifty pages on one
//!    event, share their topic's names and terms whoever wrote them. A document's anchors
//!    that at least half of its candidate partners also have ([`topic_words`]) are left
//!    out when it is aligned.
//! 4. **Sentence alignment, verified.** Sentences become tf·idf vectors over their terms.
//!    *Seeds* are sentence pairs with cosine at least
//!    [`ParaphraseConfig::seed_similarity`] and Dice overlap of their terms at least
//!    [`SEED_DICE`] (a short sentence sharing one name with a long one is no seed). Seeds
//!    are *extended* into passages by clustering: sorted by their sentence in A they are
//!    split where two are more than [`ParaphraseConfig::max_gap`] sentences apart, each
//!    part is split the same way in B, and so on until nothing changes — so reordered
//!    sentences inside a passage stay together, and two unrelated regions do not. A
//!    cluster is a passage when it holds [`ParaphraseConfig::min_seeds`] seeds, each side
//!    spans [`ParaphraseConfig::min_words`] words, the two sides as wholes have cosine at
//!    least [`ParaphraseConfig::min_similarity`], and they do not tell two events in one
//!    wording (other figures or names: [`crate::formula::other_specifics`]). Of clusters
//!    overlapping in either text only the most similar is kept. Last, the *copy* must be
//!    a rewrite, not a story that happens to share a few facts: the sentences of the kept
//!    passages must hold [`ParaphraseConfig::min_coverage`] of the copy's words, the copy
//!    being the later document when the dates are [`DATES_APART_SECONDS`] apart. (Two
//!    independent write-ups of one event share some facts sentence by sentence; a rewrite
//!    is made of its source's sentences.) When the dates do not tell, each document must
//!    be covered, and more: [`ParaphraseConfig::min_coverage_undated`] — without a date to
//!    say which is the copy, only a rewrite of the whole story is evidence enough (two
//!    answers to one exam question, both rewritten from one source, cover each other
//!    less).
//!
//! 5. **Summaries** (when asked for: [`ParaphraseConfig::summaries`]). A digest
//!    paragraph that condenses a whole story, inside a longer text (a roundup, a
//!    newsletter), covers too little of its host to pass the coverage test. It has its
//!    own evidence: the seeds, grouped by gaps on the summary's side only (each summary
//!    sentence condenses sentences from anywhere in the source), fill a compact region
//!    of one text — most of its words ([`SUMMARY_DENSITY`]) in aligned sentences, three
//!    sentences or more — and reach across the whole of the other, whose region between
//!    its first and last aligned sentence holds [`SUMMARY_SPREAD`] of it and two to
//!    fifteen times the summary's words ([`SUMMARY_COMPRESSION`]). Two stories on one
//!    event share a few facts, not a source's every part in a few dense sentences; a
//!    paragraph that seeds with many sentences of a far longer text, or with more than
//!    [`SUMMARY_FAN_OUT`] per sentence, is matching on names. The passage runs over both
//!    regions, passes the cosine and specifics tests as any other, and when the dates
//!    tell which text is the copy, the summary must be in it. It is not asked for by
//!    default: on news, a follow-up story opens with today's facts and recaps
//!    yesterday's story in a dense background paragraph, which reads as a summary of it
//!    (Reuters-21578 with its stories spread over twenty outlets: 138 rewritten pairs,
//!    431 with summaries, most of the new ones follow-ups).
//!
//! A pair with such passages and no verbatim passage (nor a formula) is reported with
//! `"method": "paraphrase"`; its passages carry the cosine of their two sides as their
//! similarity, and its lineage edge is of kind `rewritten`.
//!
//! What it does not find: a rewritten excerpt that is a small part of a long document
//! (its sentences hold too little of either text, and without that test independent
//! stories on one event pass too), nor a summary of part of a story (nor, by default, of
//! a whole one); and a pair already linked by a verbatim passage keeps its verbatim
//! passages only, so a summary that also quotes its source word for word is reported by
//! its quotation.
//!
//! Cost: the vocabulary is one sort of each document's distinct terms; anchors and topic
//! words are a few dozen terms per document; a candidate pair costs one pass over A's
//! sentence terms against an inverted index of B's (`O(|A| + |B| + term matches)`, a term
//! in more than [`MAX_SENTENCES_PER_TERM`] of B's sentences seeding nothing, so two long
//! repetitive texts stay linear), and the clustering is a few sorts of the seeds (with
//! summaries asked for, two more for a pair that fails the coverage test).

use std::ops::Range;
use std::sync::{Mutex, PoisonError};

use ahash::AHashMap;
use rayon::prelude::*;

use crate::corpus::Document;
use crate::formula::{Side, other_specifics};
use crate::lineage::same_outlet;
use crate::normalize::Token;
use crate::passage::Passage;

/// Dates this far apart or more tell which of two documents is the later, the copy (less
/// may be two time zones' local times of one moment).
pub const DATES_APART_SECONDS: i64 = 12 * 3600;

/// A word in more than this share of the documents is a function word: no weight.
pub const FUNCTION_WORD_SHARE: f64 = 0.3;

/// Function words are learned only from corpora of at least this many documents (below,
/// a document frequency tells nothing).
pub const MIN_DOCS_FOR_FUNCTION_WORDS: usize = 50;

/// Least Dice overlap of two sentences' content-word sets for a seed: a short sentence
/// sharing one rare name with a long one is no paraphrase of it.
pub const SEED_DICE: f64 = 0.15;

/// A term found in more of B's sentences than this seeds nothing: it is B's own refrain,
/// and it would make aligning two long texts quadratic.
pub const MAX_SENTENCES_PER_TERM: usize = 64;

/// Least sentences on each side of a summary (step 5 of the [module documentation](self)).
pub const SUMMARY_MIN_SENTENCES: usize = 3;

/// Least share of a summary's words in its sentences aligned with the source: a summary is
/// made of its source's facts, sentence by sentence, not of a few among its own.
pub const SUMMARY_DENSITY: f64 = 0.6;

/// Least share of the source's words between its first and last sentence aligned with a
/// summary: a summary condenses the whole story, not one paragraph of it.
pub const SUMMARY_SPREAD: f64 = 0.6;

/// Least and greatest ratio of the source region's words to the summary's: a summary
/// condenses (at one to one it is a rewrite, which the coverage test judges), and a short
/// paragraph "matching" a text fifteen times its length is matching on the topic's words.
pub const SUMMARY_COMPRESSION: (f64, f64) = (2.0, 15.0);

/// Most source sentences aligned per summary sentence, on average: a summary sentence
/// condenses a few sentences of its source; one that seeds with many shares only names.
pub const SUMMARY_FAN_OUT: usize = 5;

/// Sentences longer than this many words (text without punctuation) are cut.
const MAX_SENTENCE_WORDS: usize = 60;

/// Parameters of the paraphrase path.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParaphraseConfig {
    /// Heaviest content words kept per document for the candidate index.
    pub anchors: usize,
    /// Anchors two documents must share to be a candidate pair.
    pub min_shared_anchors: usize,
    /// Words in more documents than this are no anchors.
    pub max_df: usize,
    /// Dated documents further apart than this are no candidates (`None`: any distance).
    pub window_seconds: Option<i64>,
    /// Least cosine of two sentences for a seed.
    pub seed_similarity: f64,
    /// Largest distance, in sentences, between seeds of one passage.
    pub max_gap: usize,
    /// Least seeds in a passage.
    pub min_seeds: usize,
    /// Least cosine between the two sides of a passage.
    pub min_similarity: f64,
    /// Least words on each side of a passage.
    pub min_words: usize,
    /// Least share of the copy's content words in sentences of its verified passages, when
    /// the dates tell which document is the copy (the later).
    pub min_coverage: f64,
    /// The same share, of each document, when the dates do not tell (undated, or dated
    /// within [`DATES_APART_SECONDS`] of each other): only a rewrite of the whole story is
    /// evidence then.
    pub min_coverage_undated: f64,
    /// Whether a pair that fails the coverage test may still be a summary (step 5 of the
    /// [module documentation](self)): a digest paragraph condensing a whole story inside a
    /// longer text. Off by default: on news, the background paragraph of a follow-up story
    /// recaps the earlier story as a summary would.
    pub summaries: bool,
}

impl Default for ParaphraseConfig {
    fn default() -> Self {
        ParaphraseConfig {
            anchors: 24,
            min_shared_anchors: 4,
            max_df: 100,
            window_seconds: Some(2 * 86_400),
            seed_similarity: 0.3,
            max_gap: 3,
            min_seeds: 2,
            min_similarity: 0.4,
            min_words: 20,
            min_coverage: 0.4,
            min_coverage_undated: 0.6,
            summaries: false,
        }
    }
}

/// Word weights learned from a corpus: inverse document frequencies, function words at
/// zero.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    /// Document frequencies in [`SHARDS`] maps by the term's top bits (built in parallel).
    df: Vec<AHashMap<u64, u32>>,
    docs: usize,
    max_df: u32,
}

/// Document-frequency maps, by the top bits of the term.
const SHARD_BITS: u32 = 6;
const SHARDS: usize = 1 << SHARD_BITS;

/// Documents whose terms [`Vocabulary::learn_with`] counts together.
const LEARN_BLOCK: usize = 512;

fn shard_of(term: u64) -> usize {
    (term >> (64 - SHARD_BITS)) as usize
}

impl Vocabulary {
    /// Counts each term once per document over the documents' term keys ([`terms`]).
    pub fn learn(content: &[Vec<u64>]) -> Self {
        Vocabulary::learn_with(content.len(), |d| content[d].clone())
    }

    /// [`Vocabulary::learn`] over `docs` documents whose term keys `terms_of(d)` gives on
    /// demand. Documents are counted a block at a time, straight into the shards' maps: a
    /// document's keys are held only while its distinct terms are taken, and the corpus's
    /// terms never all at once (they are as many as its words).
    pub fn learn_with(docs: usize, terms_of: impl Fn(usize) -> Vec<u64> + Sync + Send) -> Self {
        let shards: Vec<Mutex<AHashMap<u64, u32>>> =
            (0..SHARDS).map(|_| Mutex::new(AHashMap::new())).collect();
        (0..docs.div_ceil(LEARN_BLOCK))
            .into_par_iter()
            .for_each(|block| {
                let mut block_terms: Vec<u64> = Vec::new();
                for d in block * LEARN_BLOCK..docs.min((block + 1) * LEARN_BLOCK) {
                    let mut h = terms_of(d);
                    h.sort_unstable();
                    h.dedup();
                    block_terms.extend_from_slice(&h);
                }
                block_terms.sort_unstable();
                // Sorted, each shard's terms are one run.
                for shard in block_terms.chunk_by(|x, y| shard_of(*x) == shard_of(*y)) {
                    let mut map = shards[shard_of(shard[0])]
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner);
                    for run in shard.chunk_by(|x, y| x == y) {
                        *map.entry(run[0]).or_default() += run.len() as u32;
                    }
                }
            });
        let df = shards
            .into_iter()
            .map(|m| m.into_inner().unwrap_or_else(PoisonError::into_inner))
            .collect();
        let max_df = if docs >= MIN_DOCS_FOR_FUNCTION_WORDS {
            (FUNCTION_WORD_SHARE * docs as f64) as u32
        } else {
            u32::MAX
        };
        Vocabulary { df, docs, max_df }
    }

    /// Documents holding `word`.
    pub fn df(&self, word: u64) -> u32 {
        self.df
            .get(shard_of(word))
            .and_then(|m| m.get(&word))
            .copied()
            .unwrap_or(0)
    }

    /// The weight of `word`: `ln(1 + N / df)`, zero for a function word.
    pub fn idf(&self, word: u64) -> f32 {
        let df = self.df(word);
        if df > self.max_df {
            0.0
        } else {
            (1.0 + self.docs as f64 / df.max(1) as f64).ln() as f32
        }
    }
}

/// A document seen as sentences of weighted content words.
#[derive(Debug, Clone, Default)]
pub struct Sentences {
    /// Token range of each sentence (indices into the content tokens).
    pub spans: Vec<Range<usize>>,
    /// Each sentence's content words with tf·idf weights, sorted by word, not normalised.
    pub terms: Vec<Vec<(u64, f32)>>,
    /// Euclidean norm of each sentence's weights.
    pub norms: Vec<f32>,
}

/// Does the text between two tokens end a sentence?
fn ends_sentence(gap: &str) -> bool {
    let mut chars = gap.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' | '!' | '?' | '۔' | '؟' | '。' | '！' | '？' | '；' => return true,
            '.' if chars.peek().is_none_or(|n| !n.is_alphanumeric()) && gap.len() > 1 => {
                return true;
            }
            _ => {}
        }
    }
    false
}

/// Letters of a word kept as its term: a language-agnostic stemmer (truncation), so
/// `announced`, `announcement` and `announces` weigh as one word.
pub const STEM_CHARS: usize = 5;

/// The term of each content token: the hash of its first [`STEM_CHARS`] letters,
/// lower-cased.
pub fn terms(text: &str, tokens: &[Token]) -> Vec<u64> {
    let mut buf = String::new();
    tokens
        .iter()
        .map(|t| {
            let word = &text[t.start..t.end];
            if word.is_ascii() {
                // The same bytes as the general path gives an ASCII word.
                let mut stem = [0u8; STEM_CHARS];
                let n = word.len().min(STEM_CHARS);
                for (to, from) in stem.iter_mut().zip(word.as_bytes()) {
                    *to = from.to_ascii_lowercase();
                }
                return xxhash_rust::xxh3::xxh3_64(&stem[..n]);
            }
            buf.clear();
            for c in word.chars().flat_map(char::to_lowercase).take(STEM_CHARS) {
                buf.push(c);
            }
            xxhash_rust::xxh3::xxh3_64(buf.as_bytes())
        })
        .collect()
}

/// Splits a document's content tokens into sentences and weighs their terms (`keys`, one
/// per token, from [`terms`]).
pub fn sentences(text: &str, tokens: &[Token], keys: &[u64], vocab: &Vocabulary) -> Sentences {
    let mut out = Sentences::default();
    let mut start = 0;
    for i in 0..=tokens.len() {
        let boundary = i == tokens.len()
            || (i > start
                && (i - start >= MAX_SENTENCE_WORDS
                    || text
                        .get(tokens[i - 1].end..tokens[i].start)
                        .is_some_and(ends_sentence)));
        if boundary && i > start {
            let mut words: Vec<u64> = keys[start..i].to_vec();
            words.sort_unstable();
            let mut terms: Vec<(u64, f32)> = Vec::new();
            for run in words.chunk_by(|x, y| x == y) {
                let w = vocab.idf(run[0]) * run.len() as f32;
                if w > 0.0 {
                    terms.push((run[0], w));
                }
            }
            out.norms
                .push(terms.iter().map(|(_, w)| w * w).sum::<f32>().sqrt());
            out.terms.push(terms);
            out.spans.push(start..i);
            start = i;
        }
    }
    out
}

/// A document's anchors: its heaviest terms (tf·idf, from its term keys as [`terms`]
/// gives them) among those in 2 to `max_df` documents, sorted by term.
pub fn anchors(keys: &[u64], vocab: &Vocabulary, config: &ParaphraseConfig) -> Vec<u64> {
    let mut sorted = keys.to_vec();
    sorted.sort_unstable();
    let mut ranked: Vec<(u64, f32)> = sorted
        .chunk_by(|x, y| x == y)
        .filter(|run| (2..=config.max_df as u32).contains(&vocab.df(run[0])))
        .map(|run| (run[0], vocab.idf(run[0]) * run.len() as f32))
        .filter(|&(_, w)| w > 0.0)
        .collect();
    ranked.sort_unstable_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
    ranked.truncate(config.anchors);
    let mut words: Vec<u64> = ranked.into_iter().map(|(w, _)| w).collect();
    words.sort_unstable();
    words
}

/// Candidate pairs `(a, b)`, `a < b`, sorted: documents sharing at least
/// `min_shared_anchors` anchors and, when both are dated, within the window.
pub fn candidates(
    anchors: &[Vec<u64>],
    docs: &[Document],
    config: &ParaphraseConfig,
) -> Vec<(u32, u32)> {
    let mut postings: AHashMap<u64, Vec<u32>> = AHashMap::new();
    for (d, words) in anchors.iter().enumerate() {
        for &w in words {
            postings.entry(w).or_default().push(d as u32);
        }
    }
    let close =
        |a: usize, b: usize| match (config.window_seconds, docs[a].timestamp, docs[b].timestamp) {
            (Some(window), Some(x), Some(y)) => (x - y).abs() <= window,
            _ => true,
        };
    let mut pairs: Vec<(u32, u32)> = (0..anchors.len())
        .into_par_iter()
        .flat_map_iter(|a| {
            let mut count: AHashMap<u32, u32> = AHashMap::new();
            for w in &anchors[a] {
                for &b in postings.get(w).map_or(&[][..], Vec::as_slice) {
                    if b as usize > a {
                        *count.entry(b).or_default() += 1;
                    }
                }
            }
            let mut out: Vec<(u32, u32)> = count
                .into_iter()
                .filter(|&(b, n)| n as usize >= config.min_shared_anchors && close(a, b as usize))
                .map(|(b, _)| (a as u32, b))
                .collect();
            out.sort_unstable();
            out
        })
        .collect();
    pairs.par_sort_unstable();
    pairs
}

/// Least neighbours (candidate partners) a document needs before the words most of them
/// share count as its topic's vocabulary.
pub const MIN_NEIGHBOURS: usize = 4;

/// Each document's *topic words*: its anchors that at least half of its candidate
/// partners (and three or more) also have as anchors, when it has [`MIN_NEIGHBOURS`]
/// partners or more. Answers to one exam question, or pages on one event, share their
/// topic's names and terms whoever wrote them; such words are no evidence that one
/// rewrote the other, and [`align`] leaves them out. Sorted per document.
pub fn topic_words(anchors: &[Vec<u64>], candidates: &[(u32, u32)]) -> Vec<Vec<u64>> {
    let mut neighbours: Vec<Vec<u32>> = vec![Vec::new(); anchors.len()];
    for &(a, b) in candidates {
        neighbours[a as usize].push(b);
        neighbours[b as usize].push(a);
    }
    neighbours
        .par_iter()
        .enumerate()
        .map(|(d, near)| {
            if near.len() < MIN_NEIGHBOURS {
                return Vec::new();
            }
            anchors[d]
                .iter()
                .copied()
                .filter(|w| {
                    let n = near
                        .iter()
                        .filter(|&&o| anchors[o as usize].binary_search(w).is_ok())
                        .count();
                    n >= 3 && 2 * n >= near.len()
                })
                .collect()
        })
        .collect()
}

impl Sentences {
    /// The same sentences without some words (sorted), norms recomputed.
    pub fn without(&self, words: &[u64]) -> Sentences {
        let terms: Vec<Vec<(u64, f32)>> = self
            .terms
            .iter()
            .map(|t| {
                t.iter()
                    .copied()
                    .filter(|(w, _)| words.binary_search(w).is_err())
                    .collect()
            })
            .collect();
        let norms = terms
            .iter()
            .map(|t: &Vec<(u64, f32)>| t.iter().map(|(_, w)| w * w).sum::<f32>().sqrt())
            .collect();
        Sentences {
            spans: self.spans.clone(),
            terms,
            norms,
        }
    }
}

/// A sentence pair similar enough to start a passage.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Seed {
    a: usize,
    b: usize,
}

/// Seeds of two documents: sentence pairs with cosine ≥ `seed_similarity` and Dice ≥
/// [`SEED_DICE`], found through an inverted index of B's sentence words.
fn seeds(a: &Sentences, b: &Sentences, config: &ParaphraseConfig) -> Vec<Seed> {
    let mut index: AHashMap<u64, Vec<(u32, f32)>> = AHashMap::new();
    for (j, terms) in b.terms.iter().enumerate() {
        for &(word, w) in terms {
            index.entry(word).or_default().push((j as u32, w));
        }
    }
    let mut out = Vec::new();
    let mut dot: AHashMap<u32, (f32, u32)> = AHashMap::new();
    for (i, terms) in a.terms.iter().enumerate() {
        dot.clear();
        for &(word, w) in terms {
            let postings = index.get(&word).map_or(&[][..], Vec::as_slice);
            if postings.len() > MAX_SENTENCES_PER_TERM {
                continue;
            }
            for &(j, v) in postings {
                let e = dot.entry(j).or_default();
                e.0 += w * v;
                e.1 += 1;
            }
        }
        let mut found: Vec<Seed> = dot
            .iter()
            .filter(|&(&j, &(d, shared))| {
                let j = j as usize;
                let cosine = d / (a.norms[i] * b.norms[j]).max(f32::MIN_POSITIVE);
                let dice = 2.0 * shared as f64 / (terms.len() + b.terms[j].len()) as f64;
                cosine as f64 >= config.seed_similarity && dice >= SEED_DICE
            })
            .map(|(&j, _)| Seed {
                a: i,
                b: j as usize,
            })
            .collect();
        found.sort_unstable_by_key(|s| s.b);
        out.extend(found);
    }
    out
}

/// Splits seeds into groups whose consecutive members, sorted by `key`, are at most
/// `gap` apart.
fn split_by(mut seeds: Vec<Seed>, key: fn(&Seed) -> usize, gap: usize) -> Vec<Vec<Seed>> {
    seeds.sort_unstable_by_key(|s| (key(s), s.a, s.b));
    let mut groups: Vec<Vec<Seed>> = Vec::new();
    let mut last = usize::MAX;
    for s in seeds {
        match groups.last_mut() {
            Some(g) if key(&s) - last <= gap => g.push(s),
            _ => groups.push(vec![s]),
        }
        last = key(&s);
    }
    groups
}

/// Clusters seeds by alternate splits on A's and B's sentence gaps until stable.
fn clusters(seeds: Vec<Seed>, gap: usize) -> Vec<Vec<Seed>> {
    let mut groups = vec![seeds];
    loop {
        let before = groups.len();
        groups = groups
            .into_iter()
            .flat_map(|g| split_by(g, |s| s.a, gap))
            .flat_map(|g| split_by(g, |s| s.b, gap))
            .collect();
        if groups.len() == before {
            return groups;
        }
    }
}

/// Cosine between the summed weights of sentences `ra` of A and `rb` of B (summed in a
/// fixed order, so the figure is the same on every run).
fn fragment_cosine(a: &Sentences, ra: Range<usize>, b: &Sentences, rb: Range<usize>) -> f64 {
    let sum = |s: &Sentences, r: Range<usize>| {
        let mut v: Vec<(u64, f64)> = s.terms[r]
            .iter()
            .flatten()
            .map(|&(word, w)| (word, f64::from(w)))
            .collect();
        v.sort_unstable_by_key(|&(word, _)| word);
        let mut summed: Vec<(u64, f64)> = Vec::with_capacity(v.len());
        for (word, w) in v {
            match summed.last_mut() {
                Some(last) if last.0 == word => last.1 += w,
                _ => summed.push((word, w)),
            }
        }
        summed
    };
    let (va, vb) = (sum(a, ra), sum(b, rb));
    let (mut i, mut j, mut dot) = (0, 0, 0.0);
    while i < va.len() && j < vb.len() {
        match va[i].0.cmp(&vb[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                dot += va[i].1 * vb[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    let norm = |v: &[(u64, f64)]| v.iter().map(|(_, x)| x * x).sum::<f64>();
    let denom = (norm(&va) * norm(&vb)).sqrt();
    if denom == 0.0 { 0.0 } else { dot / denom }
}

/// Which document of a pair is the copy, when their dates tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopySide {
    /// The first document (A) was published later.
    A,
    /// The second (B) was.
    B,
}

/// Share of a document's words that lie in the given sentences (each counted once).
fn coverage(s: &Sentences, seeded: impl Iterator<Item = usize>) -> f64 {
    let mut seen = vec![false; s.spans.len()];
    for i in seeded {
        seen[i] = true;
    }
    let total = words_in(s, 0..s.spans.len());
    let covered: usize = s
        .spans
        .iter()
        .zip(&seen)
        .filter(|(_, seen)| **seen)
        .map(|(r, _)| r.len())
        .sum();
    covered as f64 / total.max(1) as f64
}

/// A verified cluster of seeds: its passage and its seeds.
struct Verified {
    passage: Passage,
    seeds: Vec<Seed>,
}

/// Aligns two documents' sentences: the rewritten passages they share, in A's order, as
/// [`Passage`]s whose `similarity` is the cosine of their two sides (no exact runs).
/// Empty unless the verified passages' sentences hold at least `min_coverage` of the
/// copy's words — of `copy` when the dates tell which it is, else of each document — or,
/// failing that and with [`ParaphraseConfig::summaries`], one document holds a summary of
/// the whole other (step 5 of the [module documentation](self)).
pub fn align(
    a: (&Sentences, Side),
    b: (&Sentences, Side),
    copy: Option<CopySide>,
    config: &ParaphraseConfig,
) -> Vec<Passage> {
    let (sa, side_a) = a;
    let (sb, side_b) = b;
    let seeds = seeds(sa, sb, config);
    if seeds.len() < config.min_seeds {
        return Vec::new();
    }
    // The summary test, when asked for, reads all seeds again; else they go to clustering.
    let for_summary = config.summaries.then(|| seeds.clone());
    let found: Vec<Verified> = clusters(seeds, config.max_gap)
        .into_iter()
        .filter_map(|group| verify_cluster(group, (sa, side_a), (sb, side_b), config))
        .collect();
    let kept = most_similar_disjoint(found);
    let seeded = |side: fn(&Seed) -> usize| {
        kept.iter()
            .flat_map(|v| v.seeds.iter().map(side))
            .collect::<Vec<usize>>()
    };
    let cov_a = coverage(sa, seeded(|s| s.a).into_iter());
    let cov_b = coverage(sb, seeded(|s| s.b).into_iter());
    let copy_coverage = match copy {
        Some(CopySide::A) => cov_a,
        Some(CopySide::B) => cov_b,
        None => cov_a.min(cov_b),
    };
    let least = if copy.is_some() {
        config.min_coverage
    } else {
        config.min_coverage_undated
    };
    if copy_coverage < least {
        // Not a rewrite of the whole copy; perhaps a summary of the whole source inside it.
        return for_summary
            .and_then(|seeds| summary(&seeds, (sa, side_a), (sb, side_b), copy, config))
            .into_iter()
            .collect();
    }
    let mut passages: Vec<Passage> = kept.into_iter().map(|v| v.passage).collect();
    passages.sort_by_key(|p| p.a_tokens.start);
    passages
}

/// Words in sentences `r`.
fn words_in(s: &Sentences, r: Range<usize>) -> usize {
    s.spans[r].iter().map(Range::len).sum()
}

/// A summary of one document inside the other, as one passage from the summary's first to
/// last aligned sentence and from the source's: the seeds, grouped by the summary side's
/// sentence gaps only (a summary sentence condenses sentences from anywhere in its
/// source), where one group has [`SUMMARY_MIN_SENTENCES`] sentences or more on each side,
/// [`SUMMARY_DENSITY`] of the summary region's words in aligned sentences, a source region
/// holding [`SUMMARY_SPREAD`] of its document and [`SUMMARY_COMPRESSION`] times the
/// summary's words, at most [`SUMMARY_FAN_OUT`] source sentences per summary sentence,
/// and the two regions as wholes have cosine `min_similarity` and tell no other
/// specifics. When the dates tell which is the copy, the copy is the summary. Of several,
/// the most similar.
fn summary(
    seeds: &[Seed],
    (sa, side_a): (&Sentences, Side),
    (sb, side_b): (&Sentences, Side),
    copy: Option<CopySide>,
    config: &ParaphraseConfig,
) -> Option<Passage> {
    let mut best: Option<Passage> = None;
    for summary_is_a in [true, false] {
        if copy.is_some_and(|c| (c == CopySide::A) != summary_is_a) {
            continue;
        }
        let (short, long) = if summary_is_a { (sa, sb) } else { (sb, sa) };
        let long_total = words_in(long, 0..long.spans.len()) as f64;
        let in_a: fn(&Seed) -> usize = |s| s.a;
        let in_b: fn(&Seed) -> usize = |s| s.b;
        let (in_short, in_long) = if summary_is_a {
            (in_a, in_b)
        } else {
            (in_b, in_a)
        };
        for group in split_by(seeds.to_vec(), in_short, config.max_gap) {
            let mut short_sentences: Vec<usize> = group.iter().map(in_short).collect();
            short_sentences.dedup();
            let mut long_sentences: Vec<usize> = group.iter().map(in_long).collect();
            long_sentences.sort_unstable();
            long_sentences.dedup();
            let (n_short, n_long) = (short_sentences.len(), long_sentences.len());
            if n_short < SUMMARY_MIN_SENTENCES
                || n_long < SUMMARY_MIN_SENTENCES
                || n_long > SUMMARY_FAN_OUT * n_short
            {
                continue;
            }
            let short_range = span_of(short_sentences.iter().copied());
            let long_range = span_of(long_sentences.iter().copied());
            let short_words = words_in(short, short_range.clone()) as f64;
            let long_words = words_in(long, long_range.clone()) as f64;
            let aligned: usize = short_sentences.iter().map(|&i| short.spans[i].len()).sum();
            let (least, most) = SUMMARY_COMPRESSION;
            if short_words < config.min_words as f64
                || (aligned as f64) < SUMMARY_DENSITY * short_words
                || long_words < least * short_words
                || long_words > most * short_words
                || long_words < SUMMARY_SPREAD * long_total
            {
                continue;
            }
            let (ra, rb) = if summary_is_a {
                (short_range, long_range)
            } else {
                (long_range, short_range)
            };
            let a_tokens = sa.spans[ra.start].start..sa.spans[ra.end - 1].end;
            let b_tokens = sb.spans[rb.start].start..sb.spans[rb.end - 1].end;
            let similarity = fragment_cosine(sa, ra, sb, rb);
            if similarity < config.min_similarity
                || other_specifics(side_a, a_tokens.clone(), side_b, b_tokens.clone())
                || best.as_ref().is_some_and(|b| b.similarity >= similarity)
            {
                continue;
            }
            best = Some(Passage {
                a_tokens,
                b_tokens,
                matched: 0,
                similarity,
                runs: Vec::new(),
            });
        }
    }
    best
}

/// A cluster of seeds as a passage: the sentences it spans on both sides, if it has
/// enough seeds, words and cosine similarity and its two sides name no different
/// specifics.
fn verify_cluster(
    group: Vec<Seed>,
    (sa, side_a): (&Sentences, Side),
    (sb, side_b): (&Sentences, Side),
    config: &ParaphraseConfig,
) -> Option<Verified> {
    if group.len() < config.min_seeds {
        return None;
    }
    let (ra, rb) = (
        span_of(group.iter().map(|s| s.a)),
        span_of(group.iter().map(|s| s.b)),
    );
    let a_tokens = sa.spans[ra.start].start..sa.spans[ra.end - 1].end;
    let b_tokens = sb.spans[rb.start].start..sb.spans[rb.end - 1].end;
    if a_tokens.len() < config.min_words || b_tokens.len() < config.min_words {
        return None;
    }
    let similarity = fragment_cosine(sa, ra, sb, rb);
    if similarity < config.min_similarity
        || other_specifics(side_a, a_tokens.clone(), side_b, b_tokens.clone())
    {
        return None;
    }
    Some(Verified {
        passage: Passage {
            a_tokens,
            b_tokens,
            matched: 0,
            similarity,
            runs: Vec::new(),
        },
        seeds: group,
    })
}

/// Of passages overlapping in either text, the most similar (then longest) stays.
fn most_similar_disjoint(mut found: Vec<Verified>) -> Vec<Verified> {
    found.sort_by(|x, y| {
        let (x, y) = (&x.passage, &y.passage);
        y.similarity
            .total_cmp(&x.similarity)
            .then(y.a_tokens.len().cmp(&x.a_tokens.len()))
            .then(x.a_tokens.start.cmp(&y.a_tokens.start))
    });
    let overlaps = |x: &Range<usize>, y: &Range<usize>| x.start < y.end && y.start < x.end;
    let mut kept: Vec<Verified> = Vec::new();
    for v in found {
        let p = &v.passage;
        if !kept.iter().any(|k| {
            overlaps(&k.passage.a_tokens, &p.a_tokens) || overlaps(&k.passage.b_tokens, &p.b_tokens)
        }) {
            kept.push(v);
        }
    }
    kept
}

/// The range from the least to the greatest of some indices.
fn span_of(indices: impl Iterator<Item = usize> + Clone) -> Range<usize> {
    let lo = indices.clone().min().unwrap_or(0);
    let hi = indices.max().unwrap_or(0);
    lo..hi + 1
}

/// Which of two documents is the copy, when both are dated [`DATES_APART_SECONDS`] apart.
pub fn copy_side(a: &Document, b: &Document) -> Option<CopySide> {
    let (ta, tb) = (a.timestamp?, b.timestamp?);
    if (ta - tb).abs() < DATES_APART_SECONDS {
        None
    } else if ta > tb {
        Some(CopySide::A)
    } else {
        Some(CopySide::B)
    }
}

/// A corpus made ready for the paraphrase path: its candidate pairs, and what aligning
/// them needs.
#[derive(Debug, Default)]
pub struct Rewrites {
    /// Candidate pairs `(a, b)`, `a < b`, sorted: sharing anchors within the window, from
    /// different outlets, and not among the pairs already known.
    pub pairs: Vec<(u32, u32)>,
    /// Sentences of the documents in a candidate pair (`None` for the others).
    sentences: Vec<Option<Sentences>>,
    /// Each document's topic words, sorted.
    topic: Vec<Vec<u64>>,
}

impl Rewrites {
    /// Learns the weights, picks the anchors, finds the candidate pairs (leaving out
    /// `known`, sorted) and builds the sentences of their documents. `content(i)` gives
    /// the content tokens (boilerplate removed) of `docs[i]`, each time they are needed.
    pub fn prepare(
        docs: &[Document],
        content: impl Fn(usize) -> Vec<Token> + Sync + Send,
        known: &[(u32, u32)],
        config: &ParaphraseConfig,
    ) -> Self {
        // Rewrites are looked for across outlets: one outlet's corpus has none.
        if docs
            .first()
            .is_none_or(|first| docs.iter().all(|d| same_outlet(first, d)))
        {
            return Rewrites::default();
        }
        // Terms are cheap to read again (a stem hash per word), so they are made for each
        // use rather than held for the whole corpus: as many as its words.
        let terms_of = |i: usize| terms(&docs[i].text, &content(i));
        let vocab = Vocabulary::learn_with(docs.len(), terms_of);
        let anchors: Vec<Vec<u64>> = (0..docs.len())
            .into_par_iter()
            .map(|i| anchors(&terms_of(i), &vocab, config))
            .collect();
        let near = candidates(&anchors, docs, config);
        let topic = topic_words(&anchors, &near);
        drop(anchors);
        // One outlet's two stories on one event (a follow-up, an update, the opening and
        // the closing price table) share its facts sentence by sentence without one
        // rewriting the other, and its re-sent copy is verbatim.
        let pairs: Vec<(u32, u32)> = near
            .into_iter()
            .filter(|p| known.binary_search(p).is_err())
            .filter(|&(a, b)| !same_outlet(&docs[a as usize], &docs[b as usize]))
            .collect();
        let mut needed = vec![false; docs.len()];
        for &(a, b) in &pairs {
            needed[a as usize] = true;
            needed[b as usize] = true;
        }
        let sentences = (0..docs.len())
            .into_par_iter()
            .map(|i| {
                needed[i].then(|| {
                    let tokens = content(i);
                    let keys = terms(&docs[i].text, &tokens);
                    sentences(&docs[i].text, &tokens, &keys, &vocab)
                })
            })
            .collect();
        Rewrites {
            pairs,
            sentences,
            topic,
        }
    }

    /// The rewritten passages of candidate pair `(a, b)` ([`align`], the two documents'
    /// topic words left out), in A's order; empty when it is no rewrite. `tokens` are the
    /// two documents' content tokens.
    pub fn align(
        &self,
        docs: &[Document],
        (a, b): (u32, u32),
        tokens: (&[Token], &[Token]),
        config: &ParaphraseConfig,
    ) -> Vec<Passage> {
        let (ia, ib) = (a as usize, b as usize);
        let (Some(Some(sa)), Some(Some(sb))) = (self.sentences.get(ia), self.sentences.get(ib))
        else {
            return Vec::new();
        };
        let mut off: Vec<u64> = self.topic[ia]
            .iter()
            .chain(&self.topic[ib])
            .copied()
            .collect();
        off.sort_unstable();
        off.dedup();
        let side = |i: usize, tokens| Side {
            text: &docs[i].text,
            tokens,
            kgrams: &[],
        };
        align(
            (&sa.without(&off), side(ia, tokens.0)),
            (&sb.without(&off), side(ib, tokens.1)),
            copy_side(&docs[ia], &docs[ib]),
            config,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::tokenize;
    use crate::shingle::word_shingles;

    const AGENCY: &str = "The national port authority said on Monday that container traffic at \
        Karachi harbour rose 14 percent in February, helped by a surge in textile exports to \
        Europe. Officials said the harbour handled 212,000 containers during the month, a \
        record for the winter season. The authority plans to open a third terminal next year \
        to ease congestion on the eastern wharf. Shipping lines had warned that vessels were \
        waiting up to four days for a berth. A spokesman said dredging of the approach \
        channel would begin in April and take eight months. The project is financed by a \
        loan from the Asian Development Bank. Traders welcomed the figures but said customs \
        clearance remained slow.";

    /// The agency story rewritten by a newspaper: reordered, reworded, shortened; it shares
    /// a few phrases with it, no passage.
    const REWRITE: &str = "Karachi harbour handled a record 212,000 containers in February, \
        the port authority announced, as textile shipments to Europe surged. Container \
        traffic was up 14 percent, officials said. Ships have been forced to wait as long as \
        four days for a berth, according to shipping lines. To ease congestion on the \
        eastern wharf, a third terminal will open next year. Dredging the approach channel \
        starts in April and will last eight months, with financing from an Asian \
        Development Bank loan. Customs clearance, traders complained, is still slow.";

    /// The same event written independently: it shares a fact, not the story.
    const INDEPENDENT: &str = "Textile exporters in Karachi say European orders have doubled \
        since January. The chairman of the exporters' association told reporters that mills \
        were running three shifts. He blamed power cuts for delays and urged the government \
        to cut electricity tariffs for industry. Exports to Europe rose in February, the \
        association said, and container traffic at the harbour reached a record. Several \
        mills are hiring workers for the first time in two years.";

    const OTHER: [&str; 6] = [
        "The city council approved a new budget for schools and roads on Tuesday.",
        "Rain is expected across the north of the country for the rest of the week.",
        "The national cricket team won the final match of the series by six wickets.",
        "Oil prices fell on Wednesday as stocks in the United States rose again.",
        "The central bank left its main interest rate unchanged at its monthly meeting.",
        "A new museum of modern art opened its doors to the public in the capital.",
    ];

    struct Corpus {
        texts: Vec<&'static str>,
        tokens: Vec<Vec<Token>>,
        kgrams: Vec<Vec<u64>>,
        sentences: Vec<Sentences>,
    }

    fn corpus(texts: Vec<&'static str>) -> Corpus {
        let tokens: Vec<Vec<Token>> = texts.iter().map(|t| tokenize(t)).collect();
        let keys: Vec<Vec<u64>> = texts
            .iter()
            .zip(&tokens)
            .map(|(t, toks)| terms(t, toks))
            .collect();
        let vocab = Vocabulary::learn(&keys);
        let sentences = texts
            .iter()
            .zip(&tokens)
            .zip(&keys)
            .map(|((t, toks), k)| sentences(t, toks, k, &vocab))
            .collect();
        let kgrams = tokens.iter().map(|t| word_shingles(t, 5)).collect();
        Corpus {
            texts,
            tokens,
            kgrams,
            sentences,
        }
    }

    impl Corpus {
        fn side(&self, i: usize) -> (&Sentences, Side<'_>) {
            (
                &self.sentences[i],
                Side {
                    text: self.texts[i],
                    tokens: &self.tokens[i],
                    kgrams: &self.kgrams[i],
                },
            )
        }
    }

    fn news() -> Corpus {
        let mut texts = vec![AGENCY, REWRITE, INDEPENDENT];
        texts.extend(OTHER);
        corpus(texts)
    }

    #[test]
    fn sentences_end_at_full_stops_of_any_script_and_line_breaks() {
        assert!(ends_sentence(". "));
        assert!(ends_sentence("\n"));
        assert!(ends_sentence("۔ "));
        assert!(ends_sentence("。"));
        assert!(ends_sentence("? "));
        assert!(!ends_sentence("."), "a decimal point or an initial");
        assert!(!ends_sentence(", "));
        let c = news();
        assert_eq!(c.sentences[0].spans.len(), 7);
        assert_eq!(c.sentences[1].spans.len(), 6);
        let words = |s: &Sentences| s.spans.iter().map(Range::len).sum::<usize>();
        assert_eq!(words(&c.sentences[0]), c.tokens[0].len());
    }

    #[test]
    fn terms_are_truncated_words_and_weights_follow_document_frequency() {
        let t = "Announced announcement ANNOUNCES china chinese";
        let k = terms(t, &tokenize(t));
        assert_eq!(k[0], k[1]);
        assert_eq!(k[1], k[2]);
        assert_ne!(k[3], k[0]);
        // "china" (5 letters) and "chinese" truncated to "chine" differ.
        assert_ne!(k[3], k[4]);

        let mut docs: Vec<Vec<u64>> = (0..60).map(|i| vec![1, 100 + i]).collect();
        docs[0].push(7);
        docs[1].push(7);
        let v = Vocabulary::learn(&docs);
        assert_eq!(v.df(1), 60);
        assert_eq!(v.idf(1), 0.0, "a term in every document is a function word");
        assert!((v.idf(7) - (1.0f32 + 30.0).ln()).abs() < 1e-6);
        assert!(v.idf(100) > v.idf(7));
        // Below MIN_DOCS_FOR_FUNCTION_WORDS nothing is a function word.
        let small = Vocabulary::learn(&[vec![1, 2], vec![1, 3]]);
        assert!((small.idf(1) - 2.0f32.ln()).abs() < 1e-6);
    }

    #[test]
    fn document_frequencies_are_counted_across_blocks_and_shards() {
        // More documents than one block of LEARN_BLOCK, terms in every shard (top bits),
        // repeated inside documents (counted once each) and spread over block boundaries.
        let docs = 3 * LEARN_BLOCK + 17;
        let term = |d: usize, j: u64| (j << 58) | (d as u64 % (j + 2));
        let keys = |d: usize| -> Vec<u64> {
            (0..64u64)
                .flat_map(|j| [term(d, j), term(d, j), term(d, 63 - j)])
                .collect()
        };
        let v = Vocabulary::learn_with(docs, keys);
        let mut expected: AHashMap<u64, u32> = AHashMap::new();
        for d in 0..docs {
            let mut distinct = keys(d);
            distinct.sort_unstable();
            distinct.dedup();
            for t in distinct {
                *expected.entry(t).or_default() += 1;
            }
        }
        assert_eq!(
            expected.len(),
            (0..64u64).map(|j| j + 2).sum::<u64>() as usize
        );
        for (t, n) in expected {
            assert_eq!(v.df(t), n, "term {t:#x}");
        }
        assert_eq!(v.df(5), 0);
    }

    #[test]
    fn a_rewritten_story_is_aligned_sentence_by_sentence() {
        let c = news();
        // No verbatim evidence: a few shared phrases, no passage.
        let verbatim = crate::passage::align(
            &c.tokens[0],
            &c.tokens[1],
            &crate::passage::PassageConfig::default(),
        );
        assert!(verbatim.is_empty(), "{verbatim:?}");
        let config = ParaphraseConfig::default();
        let found = align(c.side(0), c.side(1), Some(CopySide::B), &config);
        assert_eq!(found.len(), 1, "{found:?}");
        let p = &found[0];
        assert!(p.similarity >= config.min_similarity, "{}", p.similarity);
        // The passage runs over (nearly) the whole rewrite and most of the source.
        assert!(p.b_tokens.len() * 10 >= c.tokens[1].len() * 8, "{p:?}");
        assert!(p.a_tokens.len() * 10 >= c.tokens[0].len() * 6, "{p:?}");
        // Undated, each text must be covered: still found.
        assert_eq!(align(c.side(0), c.side(1), None, &config).len(), 1);
    }

    #[test]
    fn an_independent_story_on_the_same_event_is_not_a_rewrite() {
        let c = news();
        let config = ParaphraseConfig::default();
        assert!(align(c.side(0), c.side(2), Some(CopySide::B), &config).is_empty());
        assert!(align(c.side(1), c.side(2), None, &config).is_empty());
        let loose = ParaphraseConfig {
            min_coverage: 0.0,
            min_seeds: 1,
            min_words: 5,
            ..config
        };
        // What it shares is one sentence: a passage only when one seed is enough, and
        // then it is too little of the copy.
        let one = align(c.side(0), c.side(2), Some(CopySide::B), &loose);
        assert_eq!(one.len(), 1);
        assert_eq!(
            (one[0].a_tokens.clone(), one[0].b_tokens.clone()),
            (0..27, 41..59)
        );
        let covered = ParaphraseConfig {
            min_coverage: 0.4,
            ..loose
        };
        assert!(align(c.side(0), c.side(2), Some(CopySide::B), &covered).is_empty());
        // Unrelated stories share nothing to seed.
        assert!(align(c.side(0), c.side(5), None, &config).is_empty());
    }

    #[test]
    fn the_coverage_test_reads_the_copy_when_dates_tell() {
        // A long story whose first half is the rewrite, the rest its own reporting: as
        // the copy, the agency text is not covered; as the source, it is.
        let long: &'static str =
            Box::leak(format!("{REWRITE} {INDEPENDENT} {}", OTHER.join(" ")).into_boxed_str());
        let mut texts = vec![AGENCY, long];
        texts.extend(OTHER);
        let c = corpus(texts);
        let config = ParaphraseConfig::default();
        assert_eq!(
            align(c.side(0), c.side(1), Some(CopySide::A), &config).len(),
            1
        );
        assert!(align(c.side(0), c.side(1), Some(CopySide::B), &config).is_empty());
    }

    #[test]
    fn a_sentence_sharing_figures_but_telling_other_ones_is_no_rewrite() {
        // Two notices in one formula: other figures, other names.
        let a = "Acme Corp said its first quarter profit rose to 12.5 mln dlrs from 10.1 mln \
            dlrs a year earlier on sales of 140 mln dlrs. Acme said it expects sales to grow \
            in the second quarter as demand for its pumps rises in Asia and Europe.";
        let b = "Zenith Corp said its first quarter profit rose to 8.2 mln dlrs from 7.9 mln \
            dlrs a year earlier on sales of 95 mln dlrs. Zenith said it expects sales to grow \
            in the second quarter as demand for its valves rises in Asia and Europe.";
        let mut texts = vec![a, b];
        texts.extend(OTHER);
        let c = corpus(texts);
        assert!(align(c.side(0), c.side(1), None, &ParaphraseConfig::default()).is_empty());
    }

    /// The agency story with four more paragraphs of background.
    const LONG_AGENCY: &str = "The national port authority said on Monday that container \
        traffic at Karachi harbour rose 14 percent in February, helped by a surge in textile \
        exports to Europe. Officials said the harbour handled 212,000 containers during the \
        month, a record for the winter season. The authority plans to open a third terminal \
        next year to ease congestion on the eastern wharf. Shipping lines had warned that \
        vessels were waiting up to four days for a berth. A spokesman said dredging of the \
        approach channel would begin in April and take eight months. The project is \
        financed by a loan from the Asian Development Bank. Traders welcomed the figures but \
        said customs clearance remained slow. The older terminals of the harbour date from \
        the 1970s and handle mostly bulk cargo. Dock workers' unions have asked for new \
        cranes and better pay. The chairman of the authority told reporters that container \
        volumes should double by 2030 as new industrial zones open. Port Qasim, east of the \
        city, reported slower growth in the month.";

    /// Four sentences condensing the whole of [`LONG_AGENCY`], first to last paragraph.
    const SUMMARY: &str = "Karachi harbour handled a record 212,000 containers in \
        February, up 14 percent on textile exports to Europe. A third terminal will ease \
        congestion at the eastern wharf next year, where vessels wait four days for a berth. \
        Dredging of the approach channel starts in April. The chairman expects container \
        volumes to double by 2030.";

    /// A newsletter's other items.
    const MORE: [&str; 4] = [
        "The provincial assembly passed a bill on the protection of forests and rivers.",
        "A heat wave is forecast for the southern districts from the middle of next week.",
        "The football league announced a new schedule after the stadium was flooded.",
        "Hospitals in the capital reported fewer cases of dengue fever than last year.",
    ];

    /// A digest: unrelated items around `item`.
    fn digest(item: &str) -> &'static str {
        let (before, after) = OTHER.split_at(3);
        let text = format!(
            "{} {item} {} {}",
            before.join(" "),
            after.join(" "),
            MORE.join(" ")
        );
        Box::leak(text.into_boxed_str())
    }

    #[test]
    fn a_summary_of_a_whole_story_inside_a_digest_is_one_passage() {
        let host = digest(SUMMARY);
        let mut texts = vec![LONG_AGENCY, host];
        texts.extend(OTHER);
        let c = corpus(texts);
        // Not asked for, no summary.
        let default = ParaphraseConfig::default();
        assert!(align(c.side(0), c.side(1), Some(CopySide::B), &default).is_empty());
        let config = ParaphraseConfig {
            summaries: true,
            ..default
        };
        let found = align(c.side(0), c.side(1), Some(CopySide::B), &config);
        assert_eq!(found.len(), 1, "{found:?}");
        let p = &found[0];
        // The summary side is the summary, word for word from its first to its last.
        let first = tokenize(OTHER[..3].join(" ").as_str()).len();
        let summary_words = tokenize(SUMMARY).len();
        assert_eq!(p.b_tokens, first..first + summary_words);
        // The source side runs from its first paragraph to the chairman's forecast, the
        // last paragraph but one.
        let source = tokenize(LONG_AGENCY);
        assert_eq!(p.a_tokens.start, 0);
        let end = &LONG_AGENCY[source[p.a_tokens.end - 1].start..];
        assert!(end.starts_with("open. Port Qasim"), "{end}");
        assert!(p.similarity >= config.min_similarity, "{}", p.similarity);
        // The normal test alone finds nothing: the summary is a small part of its host.
        let rewrite_only = ParaphraseConfig {
            min_coverage: 0.0,
            min_coverage_undated: 0.0,
            ..config
        };
        let fragments = align(c.side(0), c.side(1), Some(CopySide::B), &rewrite_only);
        assert!(
            fragments.iter().all(|f| f.b_tokens.len() < summary_words),
            "{fragments:?}"
        );
        // Undated, the same; when the dates make the agency story the copy, the digest
        // holds no summary of it.
        assert_eq!(align(c.side(0), c.side(1), None, &config), found);
        let all = seeds(c.side(0).0, c.side(1).0, &config);
        let as_copy = |copy| summary(&all, c.side(0), c.side(1), Some(copy), &config);
        assert_eq!(as_copy(CopySide::B).as_ref(), Some(p));
        assert_eq!(as_copy(CopySide::A), None);
    }

    #[test]
    fn a_digest_item_on_the_same_event_or_on_part_of_the_story_is_no_summary() {
        // An independent story on the event; a summary of the first two paragraphs only.
        let lead = "Karachi harbour handled a record 212,000 containers in February, up \
            14 percent on textile exports to Europe. The harbour will open a third terminal \
            next year to ease congestion. Officials said the record came in the winter \
            season.";
        let mut texts = vec![LONG_AGENCY, digest(INDEPENDENT), digest(lead)];
        texts.extend(OTHER);
        let c = corpus(texts);
        let config = ParaphraseConfig {
            summaries: true,
            ..ParaphraseConfig::default()
        };
        assert!(align(c.side(0), c.side(1), None, &config).is_empty());
        assert!(align(c.side(0), c.side(2), Some(CopySide::B), &config).is_empty());
    }

    #[test]
    fn candidates_share_anchors_within_the_window() {
        let anchors: Vec<Vec<u64>> = vec![
            vec![1, 2, 3, 4, 5],
            vec![1, 2, 3, 4, 9],
            vec![1, 2, 3, 7, 8],
            vec![1, 2, 3, 4, 5],
        ];
        let mut docs: Vec<Document> = (0..4)
            .map(|i| Document::new(format!("d{i}"), String::new()))
            .collect();
        let day = 86_400;
        docs[0].timestamp = Some(0);
        docs[1].timestamp = Some(day);
        docs[3].timestamp = Some(10 * day);
        let config = ParaphraseConfig {
            min_shared_anchors: 4,
            ..ParaphraseConfig::default()
        };
        // 0–1 share four anchors a day apart; 0–3 share five but ten days apart; 1–3
        // nine days; 2 shares three with anyone.
        assert_eq!(candidates(&anchors, &docs, &config), [(0, 1)]);
        let any_time = ParaphraseConfig {
            window_seconds: None,
            ..config
        };
        assert_eq!(
            candidates(&anchors, &docs, &any_time),
            [(0, 1), (0, 3), (1, 3)]
        );
    }

    #[test]
    fn topic_words_are_the_anchors_most_partners_share() {
        // Document 0 has five partners; all have anchor 1, three have anchor 2, one has 3.
        let mut anchors = vec![vec![1, 2, 3]];
        anchors.extend([vec![1, 2], vec![1, 2], vec![1, 2], vec![1, 3], vec![1]]);
        let pairs: Vec<(u32, u32)> = (1..6).map(|b| (0, b)).collect();
        let topic = topic_words(&anchors, &pairs);
        assert_eq!(topic[0], [1, 2]);
        assert!(topic[1].is_empty(), "one partner tells nothing");
        let s = Sentences {
            spans: std::iter::once(0..3).collect(),
            terms: vec![vec![(1, 3.0), (2, 4.0), (5, 1.0)]],
            norms: vec![26f32.sqrt()],
        };
        let t = s.without(&topic[0]);
        assert_eq!(t.terms[0], [(5, 1.0)]);
        assert_eq!(t.norms[0], 1.0);
    }

    #[test]
    fn a_term_in_too_many_sentences_seeds_nothing() {
        let one = |n: usize| Sentences {
            spans: (0..n).map(|i| i..i + 1).collect(),
            terms: vec![vec![(1, 1.0)]; n],
            norms: vec![1.0; n],
        };
        let config = ParaphraseConfig::default();
        assert_eq!(seeds(&one(1), &one(10), &config).len(), 10);
        let long = one(MAX_SENTENCES_PER_TERM + 1);
        assert!(seeds(&one(1), &long, &config).is_empty());
    }

    #[test]
    fn seeds_cluster_by_gaps_in_both_texts() {
        let s = |a, b| Seed { a, b };
        // Two reordered seeds close together, one far away in A, one far away in B.
        let groups = clusters(vec![s(0, 1), s(1, 0), s(9, 2), s(2, 20)], 3);
        let mut sets: Vec<Vec<(usize, usize)>> = groups
            .iter()
            .map(|g| g.iter().map(|x| (x.a, x.b)).collect())
            .collect();
        sets.iter_mut().for_each(|g| g.sort_unstable());
        sets.sort();
        assert_eq!(
            sets,
            vec![vec![(0, 1), (1, 0)], vec![(2, 20)], vec![(9, 2)]]
        );
    }
}
