//! Candidate pairs → verified pairs, by exact set similarity.
//!
//! LSH proposes; this stage decides. Each candidate's two shingle sets (sorted `u64`s) are
//! intersected by a linear merge, giving exact Jaccard `|A∩B| / |A∪B|` and containment
//! `|A∩B| / min(|A|, |B|)` — the share of the shorter document found in the longer one,
//! which stays high for a truncated copy whose Jaccard has dropped. Only pairs with exact
//! Jaccard at or above the threshold are kept, so no reported pair is a hash accident.
//!
//! Cost: O(|A| + |B|) per candidate, in parallel over candidates.

use rayon::prelude::*;
use serde::Serialize;

use crate::minhash::{Signature, estimate_jaccard};
use crate::shingle::ShingleSet;

/// Exact overlap of two shingle sets.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Similarity {
    /// Shingles in both.
    pub intersection: usize,
    /// Shingles in either.
    pub union: usize,
    /// `intersection / union`.
    pub jaccard: f64,
    /// `intersection / min(|A|, |B|)`.
    pub containment: f64,
}

/// Exact similarity of two sorted, repeat-free shingle sets.
///
/// ```
/// use wiretrace::verify::exact_similarity;
/// let s = exact_similarity(&[1, 2, 3, 4], &[2, 3, 4, 5, 6, 7]);
/// assert_eq!((s.intersection, s.union), (3, 7));
/// assert_eq!(s.containment, 0.75);
/// ```
pub fn exact_similarity(a: &[u64], b: &[u64]) -> Similarity {
    Similarity::of_counts(intersection_len(a, b), a.len(), b.len())
}

impl Similarity {
    /// The figures of two sets of `a` and `b` elements that share `both`.
    pub fn of_counts(both: usize, a: usize, b: usize) -> Similarity {
        let union = a + b - both;
        let smaller = a.min(b);
        Similarity {
            intersection: both,
            union,
            jaccard: if union == 0 {
                0.0
            } else {
                both as f64 / union as f64
            },
            containment: if smaller == 0 {
                0.0
            } else {
                both as f64 / smaller as f64
            },
        }
    }
}

/// Sets this many times larger than the other side are searched, not merged.
const SEARCH_RATIO: usize = 32;

/// Shared elements of two sorted, repeat-free sets: one merge of the two, or, when one is
/// far larger (a long article against the stored documents it quotes), a search of the
/// larger for each element of the smaller, so the cost follows the smaller set.
fn intersection_len(a: &[u64], b: &[u64]) -> usize {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if small.len().saturating_mul(SEARCH_RATIO) < large.len() {
        searched_len(small, large)
    } else {
        merged_len(a, b)
    }
}

/// Shared elements, each of `small` searched for in what is left of `large`.
fn searched_len(small: &[u64], large: &[u64]) -> usize {
    let mut rest = large;
    let mut both = 0;
    for x in small {
        let at = rest.partition_point(|y| y < x);
        if rest.get(at) == Some(x) {
            both += 1;
        }
        rest = &rest[at..];
    }
    both
}

/// Shared elements, by one merge of the two sets.
fn merged_len(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut both) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                both += 1;
                i += 1;
                j += 1;
            }
        }
    }
    both
}

/// A near-duplicate pair that passed exact verification.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VerifiedPair {
    /// Index of the first document (the smaller index).
    pub a: u32,
    /// Index of the second document.
    pub b: u32,
    /// MinHash estimate of Jaccard.
    pub estimated: f64,
    /// Exact similarity.
    pub similarity: Similarity,
}

/// Keeps the candidates whose exact Jaccard is at least `threshold`, in candidate order.
pub fn verify(
    candidates: &[(u32, u32)],
    sets: &[ShingleSet],
    signatures: &[Signature],
    threshold: f64,
) -> Vec<VerifiedPair> {
    let side = |i: u32| {
        (
            sets[i as usize].as_slice(),
            signatures[i as usize].as_slice(),
        )
    };
    verify_sides(candidates, side, side, threshold)
}

/// One document as verification needs it: its sorted shingle set and its signature.
pub type Side<'a> = (&'a [u64], &'a [u32]);

/// [`verify`] when the two ends of a candidate live in different places (the index pairs
/// new documents with stored ones): `first(a)` and `second(b)` give each end of a
/// candidate `(a, b)`. The pairs keep the candidate's own numbers.
pub fn verify_sides<'a>(
    candidates: &[(u32, u32)],
    first: impl Fn(u32) -> Side<'a> + Sync,
    second: impl Fn(u32) -> Side<'a> + Sync,
    threshold: f64,
) -> Vec<VerifiedPair> {
    candidates
        .par_iter()
        .filter_map(|&(a, b)| {
            let ((set_a, sig_a), (set_b, sig_b)) = (first(a), second(b));
            let similarity = exact_similarity(set_a, set_b);
            (similarity.jaccard >= threshold).then(|| VerifiedPair {
                a,
                b,
                estimated: estimate_jaccard(sig_a, sig_b),
                similarity,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn searching_a_far_larger_set_counts_as_merging() {
        let mut state = 7u64;
        let mut set = |n: usize, modulo: u64| {
            let v: Vec<u64> = (0..n)
                .map(|_| crate::minhash::splitmix64(&mut state) % modulo)
                .collect();
            ShingleSet::from_hashes(v)
        };
        for (small, large, modulo) in [
            (1, 100, 50),
            (10, 5000, 6000),
            (40, 20000, 30000),
            (3, 3, 4),
        ] {
            let (a, b) = (set(small, modulo), set(large, modulo));
            let merged = merged_len(&a, &b);
            assert!(merged > 0 || small < 10);
            assert_eq!(searched_len(&a, &b), merged);
            assert_eq!(intersection_len(&a, &b), merged);
            assert_eq!(intersection_len(&b, &a), merged);
        }
    }

    #[test]
    fn exact_similarity_edge_cases() {
        let s = exact_similarity(&[], &[]);
        assert_eq!((s.jaccard, s.containment), (0.0, 0.0));
        let s = exact_similarity(&[1, 2], &[1, 2]);
        assert_eq!((s.jaccard, s.containment), (1.0, 1.0));
        let s = exact_similarity(&[1, 2], &[3, 4]);
        assert_eq!((s.jaccard, s.union), (0.0, 4));
    }

    #[test]
    fn verify_drops_pairs_below_threshold() {
        let sets: Vec<ShingleSet> = [vec![1, 2, 3, 4, 5], vec![1, 2, 3, 4, 6], vec![7, 8, 9]]
            .into_iter()
            .map(ShingleSet::from_hashes)
            .collect();
        let sigs = vec![vec![0u32; 4], vec![0u32; 4], vec![1u32; 4]];
        let kept = verify(&[(0, 1), (0, 2), (1, 2)], &sets, &sigs, 0.6);
        assert_eq!(kept.len(), 1);
        assert_eq!((kept[0].a, kept[0].b), (0, 1));
        assert!((kept[0].similarity.jaccard - 4.0 / 6.0).abs() < 1e-12);
        assert_eq!(kept[0].estimated, 1.0);
    }
}
