//! Tokens → shingles: the overlapping k-grams whose sets we compare.
//!
//! Two documents are near-duplicates when their shingle sets overlap a lot (Broder, "On the
//! resemblance and containment of documents", 1997). Word 5-grams are the default: long
//! enough that topic words shared by unrelated articles rarely line up five in a row, short
//! enough that one edited word spoils only five shingles. Character n-grams over the
//! normalised text ([`normalized_text`]) are the option for very short texts and for
//! languages where word boundaries are unreliable.
//!
//! A shingle is a stable 64-bit hash: XXH3-64 over the little-endian token hashes of the
//! k-gram (words), or over the UTF-8 bytes of the n-gram (characters). A document shorter
//! than one k-gram gives a single shingle of all its tokens, so short items can still match.
//!
//! Cost: O(tokens) hashing, then a sort to make the set.

use std::fmt;
use std::str::FromStr;

use xxhash_rust::xxh3::xxh3_64;

use crate::normalize::{Token, normalized_text, scan_tokens, token_hash_bytes};

/// How a document is cut into shingles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShingleScheme {
    /// Word k-grams (one CJK character counts as a word).
    Words(usize),
    /// Character n-grams over the normalised text.
    Chars(usize),
}

impl Default for ShingleScheme {
    fn default() -> Self {
        ShingleScheme::Words(5)
    }
}

impl fmt::Display for ShingleScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShingleScheme::Words(k) => write!(f, "words:{k}"),
            ShingleScheme::Chars(n) => write!(f, "chars:{n}"),
        }
    }
}

impl FromStr for ShingleScheme {
    type Err = String;

    /// Parses `words:K` or `chars:N` (K, N from 1 to 64).
    fn from_str(s: &str) -> Result<Self, String> {
        let (kind, size) = s
            .split_once(':')
            .ok_or_else(|| format!("'{s}' is not of the form words:K or chars:N"))?;
        let size: usize = size
            .parse()
            .map_err(|_| format!("'{size}' in '{s}' is not a whole number"))?;
        if !(1..=64).contains(&size) {
            return Err(format!("shingle size {size} is out of range 1..=64"));
        }
        match kind {
            "words" | "word" | "w" => Ok(ShingleScheme::Words(size)),
            "chars" | "char" | "c" => Ok(ShingleScheme::Chars(size)),
            _ => Err(format!("unknown shingle kind '{kind}': use words or chars")),
        }
    }
}

/// Hash of the word k-gram made of these consecutive tokens.
pub fn word_gram_hash(tokens: &[Token]) -> u64 {
    kgram_hash_of(tokens.iter().map(|t| t.hash))
}

/// Hash of a word k-gram given its tokens' hashes (the first 64): XXH3 over their
/// little-endian bytes, as every word k-gram is hashed.
pub fn kgram_hash_of(hashes: impl IntoIterator<Item = u64>) -> u64 {
    let mut buf = [0u8; 8 * 64];
    let mut n = 0;
    for (chunk, h) in buf.chunks_exact_mut(8).zip(hashes) {
        chunk.copy_from_slice(&h.to_le_bytes());
        n += 1;
    }
    xxh3_64(&buf[..8 * n])
}

/// The word k-gram hashes of a token sequence, in text order (one per start position);
/// a sequence shorter than `k` gives one shingle of all its tokens.
///
/// Equal to `tokens.windows(k).map(word_gram_hash)`, but the token hashes are laid out
/// once as little-endian bytes and each k-gram is hashed in place, without a copy.
pub fn word_shingles(tokens: &[Token], k: usize) -> Vec<u64> {
    if tokens.is_empty() {
        return Vec::new();
    }
    let k = k.min(64);
    if tokens.len() < k {
        return vec![word_gram_hash(tokens)];
    }
    let bytes: Vec<u8> = tokens.iter().flat_map(|t| t.hash.to_le_bytes()).collect();
    (0..=tokens.len() - k)
        .map(|i| xxh3_64(&bytes[8 * i..8 * (i + k)]))
        .collect()
}

/// How far into a text (in tokens, past the headline's own length) its headline is looked
/// for before it is taken to be held apart from the text.
pub const HEADLINE_REACH: usize = 64;

/// The word k-grams a headline kept apart from its text adds to that text (`tokens`).
///
/// A wire feed gives a story's headline as its `title` and its text without it, while a
/// page that reprints the story prints the headline above the same text. Read on the text
/// alone, every such page shares with every other copy a run of k-grams — the headline and
/// its join to the first words — that the wire story "lacks": the reprints look as if they
/// carried a common edit. These are those k-grams: the ones that start in the headline,
/// hashed over the headline's tokens followed by the text's first `k − 1`, as the page
/// gives them. None when the headline's words already stand together in the first
/// [`HEADLINE_REACH`] tokens of the text (the headline is part of it), or when either is
/// empty.
///
/// ```
/// use wiretrace::normalize::tokenize;
/// use wiretrace::shingle::{headline_kgrams, word_shingles};
/// let page = tokenize("Copper Output Falls\n\nLIMA (Reuters) - Copper output fell 3 pct.");
/// let feed = tokenize("LIMA (Reuters) - Copper output fell 3 pct.");
/// let added = headline_kgrams("COPPER OUTPUT FALLS", &feed, 5);
/// assert_eq!(added, word_shingles(&page, 5)[..3]);
/// assert!(headline_kgrams("Copper Output Falls", &page, 5).is_empty());
/// ```
pub fn headline_kgrams(title: &str, tokens: &[Token], k: usize) -> Vec<u64> {
    let headline = crate::normalize::tokenize(title);
    if headline.is_empty() || tokens.is_empty() {
        return Vec::new();
    }
    let reach = &tokens[..tokens.len().min(HEADLINE_REACH + headline.len())];
    let printed = reach
        .windows(headline.len())
        .any(|w| w.iter().zip(&headline).all(|(a, b)| a.hash == b.hash));
    if printed {
        return Vec::new();
    }
    let starts = headline.len();
    let mut page = headline;
    page.extend_from_slice(&tokens[..tokens.len().min(k.saturating_sub(1))]);
    let mut kgrams = word_shingles(&page, k);
    kgrams.truncate(starts);
    kgrams
}

/// [`word_shingles`] of `tokenize(text)`, without keeping token offsets: the token hashes
/// go straight into the byte layout the k-grams are hashed over.
fn word_shingles_of_text(text: &str, k: usize) -> Vec<u64> {
    let k = k.min(64);
    // Eight bytes a token, and news has a token every six bytes or so: room for one every
    // five and a third, so that the buffer is rarely grown (and copied) once filled.
    let mut bytes: Vec<u8> = Vec::with_capacity(text.len() * 3 / 2 + 8);
    scan_tokens(text, |_, _, norm| {
        bytes.extend_from_slice(&token_hash_bytes(norm).to_le_bytes())
    });
    let n = bytes.len() / 8;
    if n == 0 {
        return Vec::new();
    }
    if n < k {
        return vec![xxh3_64(&bytes)];
    }
    (0..=n - k)
        .map(|i| xxh3_64(&bytes[8 * i..8 * (i + k)]))
        .collect()
}

/// The character n-gram hashes of a normalised string, in order.
pub fn char_shingles(normalised: &str, n: usize) -> Vec<u64> {
    let bounds: Vec<usize> = normalised
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(normalised.len()))
        .collect();
    let chars = bounds.len() - 1;
    if chars == 0 {
        return Vec::new();
    }
    if chars < n {
        return vec![xxh3_64(normalised.as_bytes())];
    }
    (0..=chars - n)
        .map(|i| xxh3_64(&normalised.as_bytes()[bounds[i]..bounds[i + n]]))
        .collect()
}

/// A set of shingle hashes: sorted, without repeats, made so once.
///
/// Exact Jaccard and containment are one merge of two sets
/// ([`crate::verify::exact_similarity`]), and membership is a binary search, so nothing
/// downstream sorts a set again: a `ShingleSet` says it is one. It reads as the slice it
/// holds (`&set[..]`, `set.len()`, `set.iter()`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ShingleSet(Vec<u64>);

impl ShingleSet {
    /// The set of some hashes, in any order, repeats allowed.
    pub fn from_hashes(mut hashes: Vec<u64>) -> Self {
        hashes.sort_unstable();
        hashes.dedup();
        ShingleSet(hashes)
    }

    /// Hashes already sorted and distinct (read back from where a set was stored); checked in
    /// debug builds.
    pub fn from_sorted(hashes: Vec<u64>) -> Self {
        debug_assert!(hashes.windows(2).all(|w| w[0] < w[1]), "not a sorted set");
        ShingleSet(hashes)
    }

    /// Whether the set holds `hash`.
    pub fn contains(&self, hash: u64) -> bool {
        self.0.binary_search(&hash).is_ok()
    }

    /// The hashes, sorted.
    pub fn as_slice(&self) -> &[u64] {
        &self.0
    }

    /// The sorted hashes, owned.
    pub fn into_vec(self) -> Vec<u64> {
        self.0
    }
}

impl std::ops::Deref for ShingleSet {
    type Target = [u64];

    fn deref(&self) -> &[u64] {
        &self.0
    }
}

impl<'a> IntoIterator for &'a ShingleSet {
    type Item = &'a u64;
    type IntoIter = std::slice::Iter<'a, u64>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl FromIterator<u64> for ShingleSet {
    fn from_iter<I: IntoIterator<Item = u64>>(iter: I) -> Self {
        ShingleSet::from_hashes(iter.into_iter().collect())
    }
}

/// The set of shingles of a document: sorted, without repeats.
///
/// ```
/// use wiretrace::shingle::{shingle_set, ShingleScheme};
/// let a = shingle_set("the cat sat on the mat", ShingleScheme::Words(3));
/// assert_eq!(a.len(), 4);
/// let b = shingle_set("THE CAT, sat on... the mat!", ShingleScheme::Words(3));
/// assert_eq!(a, b);
/// assert!(a.windows(2).all(|w| w[0] < w[1]));
/// ```
pub fn shingle_set(text: &str, scheme: ShingleScheme) -> ShingleSet {
    ShingleSet::from_hashes(shingle_sequence(text, scheme))
}

/// The shingles of a document in text order, repeats kept: all a MinHash signature needs
/// (a least value does not depend on order or repeats), without the sort that makes the
/// set. [`shingle_set`] is this, sorted and deduplicated.
pub fn shingle_sequence(text: &str, scheme: ShingleScheme) -> Vec<u64> {
    match scheme {
        ShingleScheme::Words(k) => word_shingles_of_text(text, k),
        ShingleScheme::Chars(n) => char_shingles(&normalized_text(text), n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::tokenize;

    #[test]
    fn parses_schemes() {
        assert_eq!("words:5".parse(), Ok(ShingleScheme::Words(5)));
        assert_eq!("chars:7".parse(), Ok(ShingleScheme::Chars(7)));
        assert!("words:0".parse::<ShingleScheme>().is_err());
        assert!("bytes:4".parse::<ShingleScheme>().is_err());
        assert!("words".parse::<ShingleScheme>().is_err());
        assert_eq!(ShingleScheme::Chars(7).to_string(), "chars:7");
    }

    #[test]
    fn text_shingles_equal_token_shingles() {
        let text = "China’s NDRC held a seminar — 新华社北京电 — on rare earths, Tuesday.";
        for k in [1, 4, 5, 30] {
            let mut expected = word_shingles(&tokenize(text), k);
            expected.sort_unstable();
            expected.dedup();
            assert_eq!(
                shingle_set(text, ShingleScheme::Words(k)).as_slice(),
                expected,
                "k = {k}"
            );
        }
        assert!(shingle_set("!!", ShingleScheme::Words(5)).is_empty());
    }

    #[test]
    fn in_place_shingles_equal_copied_ones() {
        let tokens = tokenize("one two three four five six seven eight nine ten eleven");
        for k in [1, 3, 5, 11, 12] {
            let expected: Vec<u64> = if tokens.len() < k {
                vec![word_gram_hash(&tokens)]
            } else {
                tokens.windows(k).map(word_gram_hash).collect()
            };
            assert_eq!(word_shingles(&tokens, k), expected, "k = {k}");
        }
    }

    #[test]
    fn word_shingles_count_and_order() {
        let tokens = tokenize("a b c d e f");
        let s = word_shingles(&tokens, 5);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0], word_gram_hash(&tokens[0..5]));
        assert_ne!(s[0], s[1]);
        assert_eq!(word_shingles(&tokenize("a b"), 5).len(), 1);
        assert!(word_shingles(&[], 5).is_empty());
    }

    #[test]
    fn char_shingles_cover_unspaced_scripts() {
        let set = shingle_set("稀土产业高质量发展", ShingleScheme::Chars(5));
        assert_eq!(set.len(), 5);
        // Spacing and punctuation inside CJK text do not change the shingles.
        assert_eq!(
            set,
            shingle_set("稀土产业，高质量 发展。", ShingleScheme::Chars(5))
        );
        assert_eq!(shingle_set("ab", ShingleScheme::Chars(5)).len(), 1);
    }

    #[test]
    fn shingles_are_stable_across_releases() {
        // Frozen values: stored signatures and indexes depend on them.
        let set = shingle_set("Xinhua reported on Tuesday", ShingleScheme::Words(5));
        assert_eq!(set.as_slice(), [0xde5d_1468_b1b7_e0de]);
        let set = shingle_set("稀土产业", ShingleScheme::Chars(3));
        assert_eq!(
            set.as_slice(),
            [0x44c7_c915_f88a_2882, 0xfee2_a56a_0619_a47d]
        );
    }
}
