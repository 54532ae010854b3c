//! Candidate pairs → aligned shared passages, with offsets into both original texts.
//!
//! Whole-document MinHash misses a three-paragraph wire excerpt inside a long local
//! article: its Jaccard is low. Passages are found in two steps.
//!
//! **Candidates** come from a fingerprint index. Each document's word k-gram hashes (over
//! its non-boilerplate tokens) are *winnowed* (Schleimer, Wilkerson & Aiken, "Winnowing:
//! local algorithms for document fingerprinting", SIGMOD 2003): the minimum of every
//! window of `w` consecutive hashes is kept, which guarantees that any shared run of
//! `w + k − 1` words shares at least one fingerprint while keeping only about `2/(w+1)`
//! of the hashes. Documents sharing at least [`PassageConfig::min_shared_fingerprints`]
//! fingerprints are candidates. A fingerprint found in more than
//! [`PassageConfig::max_df`] documents is dropped from the index (a document-frequency
//! cap): it is a stock phrase, and keeping it would make candidate generation quadratic.
//!
//! **Alignment** of a candidate pair matches all k-grams exactly, chains the matches
//! along diagonals into exact runs, then joins runs that follow each other in both texts
//! with gaps of at most [`PassageConfig::max_gap`] words — so a substituted word, a
//! dropped sentence or an inserted clause does not split a passage. A chain covering at
//! least [`PassageConfig::min_words`] words in both documents is a [`Passage`]. Its
//! boundaries are those of the first and last exact k-gram match, so they sit on words
//! that really are shared. A phrase repeated in one text gives chains on other diagonals
//! that overlap the real one; of overlapping chains only the one matching most is kept.
//!
//! Cost: index O(fingerprints · log); alignment O(|A| + |B| + matches) per pair.

use std::ops::Range;
use std::sync::Mutex;

use ahash::AHashMap;
use rayon::slice::ParallelSliceMut;
use serde::Serialize;
use xxhash_rust::xxh3::xxh3_64;

use crate::normalize::{Token, char_offset};
use crate::recurring::Partitioned;
use crate::shingle::word_shingles;

/// Parameters of passage finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PassageConfig {
    /// Words per k-gram.
    pub k: usize,
    /// Winnowing window, in k-grams.
    pub window: usize,
    /// Fingerprints in more documents than this are not indexed.
    pub max_df: usize,
    /// Shared fingerprints that make two documents a candidate pair.
    pub min_shared_fingerprints: usize,
    /// Least passage length, in words, in both documents.
    pub min_words: usize,
    /// Largest gap, in words, bridged inside one passage.
    pub max_gap: usize,
}

impl Default for PassageConfig {
    fn default() -> Self {
        PassageConfig {
            k: 5,
            window: 4,
            max_df: 100,
            min_shared_fingerprints: 2,
            min_words: 20,
            max_gap: 30,
        }
    }
}

/// Winnowed fingerprints of a sequence of k-gram hashes: `(hash, position)` pairs, each
/// the rightmost minimum of some window of `window` consecutive hashes.
///
/// ```
/// use wiretrace::passage::winnow;
/// let fp = winnow(&[5, 3, 8, 1, 9, 9, 2], 3);
/// assert_eq!(fp, [(3, 1), (1, 3), (2, 6)]);
/// ```
pub fn winnow(hashes: &[u64], window: usize) -> Vec<(u64, u32)> {
    let window = window.max(1);
    if hashes.len() <= window {
        return hashes
            .iter()
            .enumerate()
            .min_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))
            .map(|(i, &h)| vec![(h, i as u32)])
            .unwrap_or_default();
    }
    let mut out: Vec<(u64, u32)> = Vec::new();
    let mut min_at = usize::MAX;
    for end in window..=hashes.len() {
        let start = end - window;
        if min_at == usize::MAX || min_at < start {
            // The old minimum left the window: rescan it (rightmost minimum).
            min_at = start;
            for i in start..end {
                if hashes[i] <= hashes[min_at] {
                    min_at = i;
                }
            }
        } else if hashes[end - 1] <= hashes[min_at] {
            min_at = end - 1;
        }
        if out.last().is_none_or(|&(_, p)| p as usize != min_at) {
            out.push((hashes[min_at], min_at as u32));
        }
    }
    out
}

/// The distinct fingerprints of one document's content tokens.
pub fn fingerprints(tokens: &[Token], config: &PassageConfig) -> Vec<u64> {
    fingerprints_of_kgrams(tokens.len(), &word_shingles(tokens, config.k), config)
}

/// [`fingerprints`] from the content's word k-grams (`word_shingles(tokens, config.k)`)
/// and its number of tokens, for a caller that makes the k-grams anyway: none for content
/// shorter than `config.k` words.
pub fn fingerprints_of_kgrams(words: usize, kgrams: &[u64], config: &PassageConfig) -> Vec<u64> {
    if words < config.k {
        return Vec::new();
    }
    let mut fp: Vec<u64> = winnow(kgrams, config.window)
        .into_iter()
        .map(|(h, _)| h)
        .collect();
    fp.sort_unstable();
    fp.dedup();
    // Collected in place over the winnowed (hash, position) pairs: without this the
    // vector keeps their allocation, twice its size or more, for as long as it is held.
    fp.shrink_to_fit();
    fp
}

/// Candidate pairs from the fingerprint index, and how many fingerprints the cap dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PassageCandidates {
    /// `(a, b)` with `a < b`, sorted.
    pub pairs: Vec<(u32, u32)>,
    /// Fingerprints dropped for being in more than `max_df` documents.
    pub capped_fingerprints: usize,
}

/// Pairs `(a, b, n)` of documents (`a < b`, sorted) with the number `n` of fingerprints
/// they share.
pub type SharedPairs = Vec<(u32, u32, u32)>;

/// Pairs of documents sharing at least `min_shared` indexed fingerprints, with the number
/// they share, and the number of fingerprints dropped by the `max_df` cap: the
/// [`FingerprintPostings`] of `doc_fingerprints` (each document's fingerprints, in any
/// order, repeats allowed), held in memory.
pub fn shared_fingerprints(
    doc_fingerprints: &[Vec<u64>],
    max_df: usize,
    min_shared: usize,
) -> (SharedPairs, usize) {
    let mut postings = FingerprintPostings(Partitioned::held());
    for (d, fps) in doc_fingerprints.iter().enumerate() {
        let mut distinct = fps.clone();
        distinct.sort_unstable();
        distinct.dedup();
        postings
            .push(d as u32, &distinct)
            .expect("held in memory: nothing is written");
    }
    postings
        .shared(max_df, min_shared)
        .expect("held in memory: nothing is read")
}

/// The fingerprint index as an external group-by: every (fingerprint, document) posting
/// goes into one of [`crate::recurring::SHARDS`] partitions by fingerprint, held in memory
/// up to a budget and appended to anonymous temporary files past it; each partition is
/// then read back and sorted alone, its runs of one fingerprint are the documents holding
/// it (capped at `max_df`), and every two of them share it. A fingerprint's postings are
/// all in one partition, so the pairs, their counts and the cap are those of one index
/// over everything, however much was held; what is held is the budget and a partition
/// per thread (12 bytes a posting), not every document's fingerprints (a million `synth`
/// articles have 140 million).
pub struct FingerprintPostings(Partitioned);

impl FingerprintPostings {
    /// Postings held up to `held_bytes` in memory, and the rest in temporary files in
    /// `dir`. Fails at once when `dir` cannot hold a file.
    pub fn new(dir: &std::path::Path, held_bytes: usize) -> std::io::Result<Self> {
        Partitioned::new(dir, held_bytes).map(FingerprintPostings)
    }

    /// Adds document `doc`'s distinct fingerprints (each once, in any order).
    pub fn push(&mut self, doc: u32, fingerprints: &[u64]) -> std::io::Result<()> {
        self.0.push(doc, fingerprints)
    }

    /// Pairs `(a, b, n)` of documents (`a < b`, sorted) sharing `n >= min_shared`
    /// fingerprints each held by at most `max_df` documents, and the number of
    /// fingerprints held by more.
    pub fn shared(self, max_df: usize, min_shared: usize) -> std::io::Result<(SharedPairs, usize)> {
        // Every partition's pairs go to one vector as it is done (the order they arrive in
        // is undone by the sort), so that they are held once, not also per partition.
        let all: Mutex<Vec<(u32, u32)>> = Mutex::new(Vec::new());
        let capped = self.0.sorted_partitions(|entries| {
            let mut pairs: Vec<(u32, u32)> = Vec::new();
            let mut capped = 0;
            for group in entries.chunk_by(|x, y| x.key == y.key) {
                if group.len() > max_df {
                    capped += 1;
                    continue;
                }
                for (i, a) in group.iter().enumerate() {
                    pairs.extend(group[i + 1..].iter().map(|b| (a.tag, b.tag)));
                }
            }
            all.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .extend(pairs);
            capped
        })?;
        let capped = capped.into_iter().sum();
        let mut pairs = all
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        pairs.par_sort_unstable();
        let counted = pairs
            .chunk_by(|x, y| x == y)
            .filter(|run| run.len() >= min_shared)
            .map(|run| (run[0].0, run[0].1, run.len() as u32))
            .collect();
        Ok((counted, capped))
    }
}

/// Documents sharing enough fingerprints to be worth aligning.
pub fn candidates(doc_fingerprints: &[Vec<u64>], config: &PassageConfig) -> PassageCandidates {
    let (counted, capped) = shared_fingerprints(
        doc_fingerprints,
        config.max_df,
        config.min_shared_fingerprints,
    );
    PassageCandidates {
        pairs: counted.into_iter().map(|(a, b, _)| (a, b)).collect(),
        capped_fingerprints: capped,
    }
}

/// A shared passage: token ranges in both documents' content tokens, and how well they match.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Passage {
    /// Content-token range in document A.
    pub a_tokens: Range<usize>,
    /// Content-token range in document B.
    pub b_tokens: Range<usize>,
    /// Tokens of A inside exact k-gram matches.
    pub matched: usize,
    /// `matched / max(len A, len B)`: 1.0 for a verbatim passage.
    pub similarity: f64,
    /// The exact runs the passage is made of, in A's order: what the two texts really
    /// share (the gaps between runs are each side's own words).
    pub runs: Vec<MatchRun>,
}

impl Passage {
    /// The passage that is the whole of two texts of `tokens` content tokens each, the
    /// same word for word: a copy of a text too short for [`PassageConfig::min_words`].
    pub fn whole(tokens: usize) -> Self {
        Passage {
            a_tokens: 0..tokens,
            b_tokens: 0..tokens,
            matched: tokens,
            similarity: 1.0,
            runs: vec![MatchRun {
                a: 0,
                b: 0,
                words: tokens,
            }],
        }
    }
}

/// An exact run of shared words: content tokens `a..a + words` of A equal `b..b + words`
/// of B.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MatchRun {
    /// First token in A.
    pub a: usize,
    /// First token in B.
    pub b: usize,
    /// Length in tokens (at least k).
    pub words: usize,
}

/// A passage located in the original texts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SharedSpan {
    /// Character offsets `[start, end)` in A's original text.
    pub a_chars: (usize, usize),
    /// Character offsets `[start, end)` in B's original text.
    pub b_chars: (usize, usize),
    /// Byte offsets in A's original text.
    pub a_bytes: (usize, usize),
    /// Byte offsets in B's original text.
    pub b_bytes: (usize, usize),
    /// Index of the passage's first word among A's content words (boilerplate excluded).
    pub a_first_word: usize,
    /// Index of the passage's first word among B's content words.
    pub b_first_word: usize,
    /// Words of the passage in A.
    pub a_words: usize,
    /// Words of the passage in B.
    pub b_words: usize,
    /// See [`Passage::similarity`].
    pub similarity: f64,
}

impl SharedSpan {
    /// Locates a passage in the original texts.
    pub fn locate(p: &Passage, a_text: &str, a: &[Token], b_text: &str, b: &[Token]) -> Self {
        let a_bytes = (a[p.a_tokens.start].start, a[p.a_tokens.end - 1].end);
        let b_bytes = (b[p.b_tokens.start].start, b[p.b_tokens.end - 1].end);
        SharedSpan {
            a_chars: (
                char_offset(a_text, a_bytes.0),
                char_offset(a_text, a_bytes.1),
            ),
            b_chars: (
                char_offset(b_text, b_bytes.0),
                char_offset(b_text, b_bytes.1),
            ),
            a_bytes,
            b_bytes,
            a_first_word: p.a_tokens.start,
            b_first_word: p.b_tokens.start,
            a_words: p.a_tokens.len(),
            b_words: p.b_tokens.len(),
            similarity: p.similarity,
        }
    }
}

/// An exact diagonal run of k-gram matches: A k-grams `a..a+len` equal B's `b..b+len`.
#[derive(Debug, Clone, Copy)]
struct Run {
    a: usize,
    b: usize,
    len: usize,
}

/// k-grams repeated more often than this inside B are not used as anchors.
const MAX_REPEATS: usize = 8;

fn exact_runs(a: &[u64], b: &[u64]) -> Vec<Run> {
    let mut where_in_b: AHashMap<u64, Vec<u32>> = AHashMap::with_capacity(b.len());
    for (j, &h) in b.iter().enumerate() {
        where_in_b.entry(h).or_default().push(j as u32);
    }
    // Open runs by diagonal (a − b), extended while consecutive.
    let mut open: AHashMap<isize, Run> = AHashMap::new();
    let mut runs = Vec::new();
    for (i, h) in a.iter().enumerate() {
        let Some(js) = where_in_b.get(h) else {
            continue;
        };
        if js.len() > MAX_REPEATS {
            continue;
        }
        for &j in js {
            let j = j as usize;
            let diag = i as isize - j as isize;
            match open.get_mut(&diag) {
                Some(run) if run.a + run.len == i => run.len += 1,
                Some(run) => {
                    runs.push(*run);
                    *run = Run { a: i, b: j, len: 1 };
                }
                None => {
                    open.insert(diag, Run { a: i, b: j, len: 1 });
                }
            }
        }
    }
    runs.extend(open.into_values());
    runs.sort_by_key(|r| (r.a, r.b));
    runs
}

/// Aligns two content-token sequences and returns their shared passages, in A's order.
///
/// ```
/// use wiretrace::normalize::tokenize;
/// use wiretrace::passage::{align, PassageConfig};
/// let wire = "the national development and reform commission held a seminar on tuesday to \
///             solicit advice from industry experts on the rare earth industry and its future";
/// let local = format!("city news in brief the weather stays fine {wire} in other news the mayor spoke");
/// let config = PassageConfig { min_words: 10, ..PassageConfig::default() };
/// let passages = align(&tokenize(&local), &tokenize(wire), &config);
/// assert_eq!(passages.len(), 1);
/// assert_eq!(passages[0].a_tokens, 8..33); // the 25 words of the wire
/// assert_eq!(passages[0].b_tokens, 0..25);
/// ```
pub fn align(a: &[Token], b: &[Token], config: &PassageConfig) -> Vec<Passage> {
    let k = config.k;
    if a.len() < k || b.len() < k {
        return Vec::new();
    }
    align_shingled(&word_shingles(a, k), &word_shingles(b, k), config)
}

/// [`align`] of two content-token sequences given by their k-gram hashes
/// ([`word_shingles`] with `config.k`), for a caller that needs the k-grams itself: both
/// sequences must be at least `k` tokens long (a shorter one shares no passage).
pub fn align_shingled(a: &[u64], b: &[u64], config: &PassageConfig) -> Vec<Passage> {
    passages_of(exact_runs(a, b), config)
}

/// A text aligned against many others (an article queried against an index): where each of
/// its k-grams occurs, computed once, so that [`align_indexed`] costs what the other text
/// costs rather than what this one does.
pub struct IndexedText {
    k: usize,
    tokens: usize,
    positions: AHashMap<u64, Vec<u32>>,
}

impl IndexedText {
    /// Indexes the k-grams of `tokens` (`k` as in the [`PassageConfig`] it is aligned with).
    pub fn new(tokens: &[Token], k: usize) -> Self {
        let mut positions: AHashMap<u64, Vec<u32>> = AHashMap::new();
        if tokens.len() >= k {
            for (i, h) in word_shingles(tokens, k).into_iter().enumerate() {
                positions.entry(h).or_default().push(i as u32);
            }
        }
        IndexedText {
            k,
            tokens: tokens.len(),
            positions,
        }
    }
}

/// [`align`] of an indexed text `a` against `b`: the same passages, found from B's side
/// (each k-gram of B looked up among A's), so a long A aligned against many short texts is
/// read once, not once per text.
pub fn align_indexed(a: &IndexedText, b: &[Token], config: &PassageConfig) -> Vec<Passage> {
    let k = config.k;
    assert_eq!(a.k, k, "the text was indexed with another k");
    if a.tokens < k || b.len() < k {
        return Vec::new();
    }
    let runs = runs_from_b(&a.positions, &word_shingles(b, k));
    passages_of(runs, config)
}

/// The exact runs of [`exact_runs`], from B's side: every match `(i, j)` of an A position
/// and a B position (B's k-grams repeated more than [`MAX_REPEATS`] times left out, as
/// there), grouped into maximal runs along each diagonal.
fn runs_from_b(a_positions: &AHashMap<u64, Vec<u32>>, b: &[u64]) -> Vec<Run> {
    let mut in_b: AHashMap<u64, usize> = AHashMap::with_capacity(b.len());
    for &h in b {
        *in_b.entry(h).or_default() += 1;
    }
    let mut matches: Vec<(isize, usize, usize)> = Vec::new();
    for (j, h) in b.iter().enumerate() {
        if in_b[h] > MAX_REPEATS {
            continue;
        }
        if let Some(is) = a_positions.get(h) {
            matches.extend(is.iter().map(|&i| (i as isize - j as isize, i as usize, j)));
        }
    }
    matches.sort_unstable();
    let mut runs: Vec<Run> = Vec::new();
    let mut last_diag = None;
    for (diag, i, j) in matches {
        match runs.last_mut() {
            Some(run) if last_diag == Some(diag) && run.a + run.len == i => run.len += 1,
            _ => runs.push(Run { a: i, b: j, len: 1 }),
        }
        last_diag = Some(diag);
    }
    runs.sort_by_key(|r| (r.a, r.b));
    runs
}

/// The passages the exact runs make: runs chained across small gaps, the strongest chains
/// kept.
fn passages_of(runs: Vec<Run>, config: &PassageConfig) -> Vec<Passage> {
    let chains = chain_runs(runs, config.k, config.max_gap);
    strongest_chains(chains, config.min_words)
        .into_iter()
        .map(|c| Passage {
            similarity: c.matched as f64 / c.a.len().max(c.b.len()) as f64,
            matched: c.matched,
            a_tokens: c.a,
            b_tokens: c.b,
            runs: c.runs,
        })
        .collect()
}

/// A chain of exact runs, in token units: `[a_start, a_end)`, `[b_start, b_end)`, the
/// tokens matched exactly, and the runs.
struct Chain {
    a: Range<usize>,
    b: Range<usize>,
    matched: usize,
    runs: Vec<MatchRun>,
}

/// Joins each exact run (in A's order) to the chain it follows with the smallest gap of at
/// most `max_gap` words in both texts (overlaps of up to `k` words allowed), or starts a
/// chain.
fn chain_runs(runs: Vec<Run>, k: usize, max_gap: usize) -> Vec<Chain> {
    let mut chains: Vec<Chain> = Vec::new();
    for run in runs {
        let (ra, rb) = (
            run.a..run.a + run.len + k - 1,
            run.b..run.b + run.len + k - 1,
        );
        let exact = MatchRun {
            a: run.a,
            b: run.b,
            words: run.len + k - 1,
        };
        let gap = |c: &Chain| -> Option<usize> {
            let ga = ra.start as isize - c.a.end as isize;
            let gb = rb.start as isize - c.b.end as isize;
            let overlap = -(k as isize);
            (ga >= overlap && gb >= overlap && ga.max(gb) <= max_gap as isize)
                .then_some(ga.max(0).max(gb.max(0)) as usize)
        };
        let best = chains
            .iter()
            .enumerate()
            .filter_map(|(i, c)| gap(c).map(|g| (g, i)))
            .min();
        match best {
            Some((_, i)) => {
                let c = &mut chains[i];
                let new_tokens = ra.end.saturating_sub(c.a.end.max(ra.start));
                c.matched += new_tokens.min(ra.len());
                c.a.end = c.a.end.max(ra.end);
                c.b.end = c.b.end.max(rb.end);
                c.runs.push(exact);
            }
            None => chains.push(Chain {
                matched: ra.len(),
                a: ra,
                b: rb,
                runs: vec![exact],
            }),
        }
    }
    chains
}

/// The chains of at least `min_words` words on both sides that overlap no stronger one,
/// in A's order. Repeated phrases give chains on other diagonals that overlap the real
/// one: the chain matching most is kept, those overlapping a kept one in either text are
/// dropped.
fn strongest_chains(chains: Vec<Chain>, min_words: usize) -> Vec<Chain> {
    let mut chains: Vec<Chain> = chains
        .into_iter()
        .filter(|c| c.a.len() >= min_words && c.b.len() >= min_words)
        .collect();
    chains.sort_by(|x, y| {
        y.matched
            .cmp(&x.matched)
            .then(x.a.start.cmp(&y.a.start))
            .then(x.b.start.cmp(&y.b.start))
    });
    let overlaps = |x: &Range<usize>, y: &Range<usize>| x.start < y.end && y.start < x.end;
    let mut kept: Vec<Chain> = Vec::with_capacity(chains.len());
    for c in chains {
        if !kept
            .iter()
            .any(|k| overlaps(&k.a, &c.a) || overlaps(&k.b, &c.b))
        {
            kept.push(c);
        }
    }
    kept.sort_by_key(|c| (c.a.start, c.b.start));
    kept
}

/// Half-open ranges `[start, end)` sorted and merged where they overlap or touch: the
/// parts of a text several passages cover.
///
/// ```
/// use wiretrace::passage::merge_ranges;
/// assert_eq!(merge_ranges(vec![(5, 9), (0, 3), (3, 4), (8, 12)]), [(0, 4), (5, 12)]);
/// ```
pub fn merge_ranges(mut ranges: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
    for (s, e) in ranges {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

/// Stable hash of a document's content, for reports: equal content, equal hash.
pub fn content_hash(tokens: &[Token]) -> u64 {
    let mut buf = Vec::with_capacity(tokens.len() * 8);
    for t in tokens {
        buf.extend_from_slice(&t.hash.to_le_bytes());
    }
    xxh3_64(&buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::tokenize;

    fn words(n: usize, salt: &str) -> String {
        (0..n)
            .map(|i| format!("{salt}{i}"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn aligning_an_indexed_text_or_given_kgrams_finds_the_same_passages() {
        // Texts over a small vocabulary: repeated k-grams, overlapping diagonals, and B's
        // k-grams repeated past MAX_REPEATS.
        let mut state = 11u64;
        let mut words = |n: usize, vocab: u64| -> String {
            (0..n)
                .map(|_| format!("w{}", crate::minhash::splitmix64(&mut state) % vocab))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let config = PassageConfig {
            min_words: 8,
            ..PassageConfig::default()
        };
        let mut compared = 0;
        for round in 0..40 {
            let shared = words(60 + round, 50);
            let a = format!("{} {shared} {} {shared}", words(200, 6), words(30, 400));
            let b = format!("{} {shared} {}", words(round * 3, 3), words(50, 400));
            let (ta, tb) = (tokenize(&a), tokenize(&b));
            let indexed = IndexedText::new(&ta, config.k);
            let direct = align(&ta, &tb, &config);
            assert_eq!(
                align_indexed(&indexed, &tb, &config),
                direct,
                "round {round}"
            );
            let (ka, kb) = (word_shingles(&ta, config.k), word_shingles(&tb, config.k));
            assert_eq!(align_shingled(&ka, &kb, &config), direct, "round {round}");
            compared += direct.len();
        }
        assert!(compared >= 40, "{compared} passages");
        let short = IndexedText::new(&tokenize("too short"), config.k);
        assert!(align_indexed(&short, &tokenize(&words(50, 5)), &config).is_empty());
    }

    #[test]
    fn winnowing_guarantees_a_fingerprint_per_window() {
        let hashes: Vec<u64> = (0..200u64)
            .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .collect();
        let fp = winnow(&hashes, 4);
        for start in 0..=hashes.len() - 4 {
            assert!(
                fp.iter()
                    .any(|&(_, p)| (start..start + 4).contains(&(p as usize)))
            );
        }
        assert!(fp.len() < hashes.len() / 2);
        assert_eq!(winnow(&[], 4), []);
        assert_eq!(winnow(&[7, 3], 4), [(3, 1)]);
    }

    #[test]
    fn excerpt_inside_other_text_is_found_with_exact_bounds() {
        let wire = words(40, "w");
        let local = format!("{} {} {}", words(30, "x"), wire, words(30, "y"));
        let p = align(
            &tokenize(&local),
            &tokenize(&wire),
            &PassageConfig::default(),
        );
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].a_tokens, 30..70);
        assert_eq!(p[0].b_tokens, 0..40);
        assert_eq!(p[0].similarity, 1.0);
    }

    /// Brute force: every pair of documents with the fingerprints they share that are in
    /// at most `max_df` documents, and how many fingerprints are in more.
    fn shared_by_brute_force(docs: &[Vec<u64>], max_df: usize) -> (Vec<(u32, u32, u32)>, usize) {
        let mut df: AHashMap<u64, usize> = AHashMap::new();
        for &h in docs.iter().flatten() {
            *df.entry(h).or_default() += 1;
        }
        let mut out = Vec::new();
        for a in 0..docs.len() {
            for b in a + 1..docs.len() {
                let n = docs[a]
                    .iter()
                    .filter(|h| df[h] <= max_df && docs[b].binary_search(h).is_ok())
                    .count();
                if n > 0 {
                    out.push((a as u32, b as u32, n as u32));
                }
            }
        }
        (out, df.values().filter(|&&n| n > max_df).count())
    }

    #[test]
    fn the_index_finds_what_brute_force_finds_held_or_moved_to_files() {
        // 150 documents of up to 40 fingerprints drawn from a small pool, so that many
        // are shared and some are over the cap; the pool holds the smallest and largest
        // values and many crowded at the low end, as winnowing leaves them.
        let mut state = 7u64;
        let mut next = move || crate::minhash::splitmix64(&mut state) >> 11;
        let mut pool: Vec<u64> = (0..300).map(|_| next() % 1_000).collect();
        pool.extend((0..200).map(|_| next() << 11));
        pool.extend([0, 1, u64::MAX, u64::MAX - 1]);
        let docs: Vec<Vec<u64>> = (0..150)
            .map(|_| {
                let n = (next() % 41) as usize;
                let mut f: Vec<u64> = (0..n).map(|_| pool[next() as usize % pool.len()]).collect();
                if next() % 5 == 0 {
                    f.push(u64::MAX);
                }
                f.sort_unstable();
                f.dedup();
                f
            })
            .collect();
        let (max_df, min_shared) = (12, 1);
        let (expected, expected_capped) = shared_by_brute_force(&docs, max_df);
        assert!(expected_capped > 0 && expected.len() > 100);
        // Held in memory; moved to files after every few documents; after every one. The
        // documents go in out of order: a pair's first document is the smaller all the same.
        let dir = tempfile::tempdir().unwrap();
        for held_bytes in [usize::MAX / 2, 200, 0] {
            let mut postings = FingerprintPostings::new(dir.path(), held_bytes).unwrap();
            for (d, f) in docs.iter().enumerate().rev() {
                postings.push(d as u32, f).unwrap();
            }
            assert_eq!(
                postings.0.partitions_in_files() > 0,
                held_bytes < usize::MAX / 2
            );
            let got = postings.shared(max_df, min_shared).unwrap();
            assert_eq!(
                got,
                (expected.clone(), expected_capped),
                "held {held_bytes}"
            );
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        assert!(FingerprintPostings::new(std::path::Path::new("/no/such/folder"), 0).is_err());
        // Lists out of order are sorted first.
        let reversed: Vec<Vec<u64>> = docs
            .iter()
            .map(|f| f.iter().rev().copied().collect())
            .collect();
        assert_eq!(
            shared_fingerprints(&reversed, max_df, min_shared),
            (expected.clone(), expected_capped)
        );
        // A least count drops the pairs below it and keeps the counts of the others.
        let (two, _) = shared_fingerprints(&docs, max_df, 2);
        let kept: Vec<_> = expected.iter().copied().filter(|p| p.2 >= 2).collect();
        assert_eq!(two, kept);
        // No documents, or none with a fingerprint.
        assert_eq!(shared_fingerprints(&[], max_df, 1), (vec![], 0));
        assert_eq!(
            shared_fingerprints(&[vec![], vec![]], max_df, 1),
            (vec![], 0)
        );
    }

    #[test]
    fn small_edits_do_not_split_a_passage() {
        let original: Vec<String> = (0..80).map(|i| format!("w{i}")).collect();
        let mut edited = original.clone();
        edited[20] = "changed".into(); // a substitution
        edited.drain(40..52); // a dropped sentence
        let a = tokenize(&original.join(" "));
        let b = tokenize(&edited.join(" "));
        let p = align(&a, &b, &PassageConfig::default());
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].a_tokens, 0..80);
        assert_eq!(p[0].b_tokens, 0..68);
        assert!(p[0].similarity > 0.7 && p[0].similarity < 1.0);
    }

    #[test]
    fn short_or_unrelated_overlaps_are_not_passages() {
        let a = tokenize(&format!(
            "{} shared words here now ok {}",
            words(30, "a"),
            words(30, "b")
        ));
        let b = tokenize(&format!(
            "{} shared words here now ok {}",
            words(30, "c"),
            words(30, "d")
        ));
        assert!(align(&a, &b, &PassageConfig::default()).is_empty());
    }

    #[test]
    fn two_separate_excerpts_give_two_passages() {
        let (p1, p2) = (words(30, "p"), words(30, "q"));
        let source = format!("{p1} {} {p2}", words(100, "m"));
        let digest = format!(
            "{} {p1} {} {p2} {}",
            words(10, "s"),
            words(50, "t"),
            words(10, "u")
        );
        let p = align(
            &tokenize(&digest),
            &tokenize(&source),
            &PassageConfig::default(),
        );
        assert_eq!(p.len(), 2);
        assert_eq!(
            (p[0].a_tokens.clone(), p[0].b_tokens.clone()),
            (10..40, 0..30)
        );
        assert_eq!(
            (p[1].a_tokens.clone(), p[1].b_tokens.clone()),
            (90..120, 130..160)
        );
    }

    #[test]
    fn a_repeated_phrase_does_not_split_a_passage_into_overlapping_ones() {
        // B repeats the first 25 words of the shared text before it.
        let shared = words(60, "s");
        let head = words(25, "s");
        let a = tokenize(&format!("{} {shared} {}", words(20, "a"), words(20, "b")));
        let b = tokenize(&format!("{head} {} {shared}", words(30, "c")));
        let p = align(&a, &b, &PassageConfig::default());
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].a_tokens, 20..80);
        assert_eq!(p[0].b_tokens, 55..115);
    }

    #[test]
    fn candidates_respect_the_df_cap() {
        let config = PassageConfig {
            max_df: 2,
            min_shared_fingerprints: 1,
            ..PassageConfig::default()
        };
        let fps = vec![vec![1, 2], vec![1, 3], vec![2, 3, 9], vec![9, 1]];
        let c = candidates(&fps, &config);
        assert_eq!(c.capped_fingerprints, 1); // fingerprint 1 is in three documents
        assert_eq!(c.pairs, [(0, 2), (1, 2), (2, 3)]);
    }
}
