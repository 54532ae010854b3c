//! Signatures → candidate pairs, by locality-sensitive hashing over bands.
//!
//! A signature of `b × r` values is cut into `b` bands of `r` rows; two documents become a
//! candidate when all `r` values of at least one band agree. For Jaccard `s` that happens
//! with probability `P(s) = 1 − (1 − sʳ)ᵇ`, an S-curve whose steep part sits near
//! `(1/b)^(1/r)` (Leskovec, Rajaraman & Ullman, *Mining of Massive Datasets*, ch. 3).
//! When `b × r` falls short of the signature, the rest is not wasted: `l` of the bands take
//! one row more, and `P(s) = 1 − (1 − sʳ)^(b−l) · (1 − sʳ⁺¹)^l`.
//!
//! [`optimal_params`] picks (b, r, l) the way datasketch picks (b, r) — minimising the area
//! of false positives (`∫₀ᵗ P`) plus false negatives (`∫ₜ¹ 1 − P`) — but only among the
//! splits that use every value of the signature and catch a pair *at* the threshold with
//! probability at least [`MIN_RECALL_AT_THRESHOLD`]. Unconstrained, the optimum crosses the
//! threshold near P = 0.5 (datasketch's 9 × 13 at 0.8 finds only 40 % of the pairs of
//! Jaccard 0.8), which is not what a user who asks for "0.8" expects; and since every
//! candidate is verified exactly, a false positive costs only one set intersection. At
//! threshold 0.8 and 128 values this gives 19 bands, 14 of 7 rows and 5 of 6 rows:
//! P(0.8) = 0.992, P(0.5) = 0.17, P(0.3) = 0.007 (16 bands of 6 rows, which leave 32 values
//! unused, give the same P(0.8) with P(0.5) = 0.22, P(0.3) = 0.012).
//!
//! Buckets are formed per band by sorting (key, document) pairs — the `GROUP BY (band,
//! key)` of a distributed plan. A bucket holding more than `max_bucket` documents (a
//! template repeated thousands of times) would cost `m²/2` pairs, so it contributes only
//! star pairs from its first member to every other one: enough to keep the family
//! connected, linear in `m`, and counted in [`Candidates::oversized_buckets`].

use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::error::{Error, Result};
use crate::minhash::Signature;

/// The least probability, at the threshold, that [`optimal_params`] accepts.
pub const MIN_RECALL_AT_THRESHOLD: f64 = 0.99;

/// How a signature is cut into bands: `bands` bands of `rows` values, of which the first
/// `long_bands` hold one value more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LshParams {
    /// Number of bands.
    pub bands: usize,
    /// Signature values per band (per short band when `long_bands > 0`).
    pub rows: usize,
    /// Bands, at the front, that hold `rows + 1` values.
    pub long_bands: usize,
}

impl LshParams {
    /// `bands` bands of `rows` values each.
    pub const fn uniform(bands: usize, rows: usize) -> Self {
        LshParams {
            bands,
            rows,
            long_bands: 0,
        }
    }

    /// Probability that a pair of Jaccard `s` shares at least one band.
    pub fn candidate_probability(&self, s: f64) -> f64 {
        let short_bands = self.bands.saturating_sub(self.long_bands);
        let short = (1.0 - s.powi(self.rows as i32)).powi(short_bands as i32);
        let long = (1.0 - s.powi(self.rows as i32 + 1)).powi(self.long_bands as i32);
        1.0 - short * long
    }

    /// Signature values the bands use.
    pub fn values(&self) -> usize {
        self.bands * self.rows + self.long_bands
    }

    /// The range of signature positions of band `band`.
    pub fn band_range(&self, band: usize) -> std::ops::Range<usize> {
        let start = band * self.rows + band.min(self.long_bands);
        let width = self.rows + usize::from(band < self.long_bands);
        start..start + width
    }

    /// Checks the bands fit in a signature of `num_perm` values.
    pub fn validate(&self, num_perm: usize) -> Result<()> {
        if self.bands == 0 || self.rows == 0 {
            return Err(Error::Config("bands and rows must be at least 1".into()));
        }
        if self.long_bands > self.bands {
            return Err(Error::Config(format!(
                "{} long bands of {} bands: there cannot be more long bands than bands",
                self.long_bands, self.bands
            )));
        }
        if self.values() > num_perm {
            return Err(Error::Config(format!(
                "{} bands × {} rows{} = {} exceeds the {num_perm} signature values",
                self.bands,
                self.rows,
                if self.long_bands > 0 {
                    format!(" + {} long bands", self.long_bands)
                } else {
                    String::new()
                },
                self.values()
            )));
        }
        Ok(())
    }
}

impl std::fmt::Display for LshParams {
    /// `16×6`, or `14×7 + 5×6` when some bands are long.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.long_bands == 0 {
            write!(f, "{}×{}", self.bands, self.rows)
        } else if self.long_bands == self.bands {
            write!(f, "{}×{}", self.bands, self.rows + 1)
        } else {
            write!(
                f,
                "{}×{} + {}×{}",
                self.long_bands,
                self.rows + 1,
                self.bands - self.long_bands,
                self.rows
            )
        }
    }
}

fn integrate(f: impl Fn(f64) -> f64, lo: f64, hi: f64) -> f64 {
    const STEPS: usize = 200;
    let h = (hi - lo) / STEPS as f64;
    // Composite Simpson's rule: exact enough for these smooth curves.
    let mut sum = f(lo) + f(hi);
    for i in 1..STEPS {
        let x = lo + i as f64 * h;
        sum += if i % 2 == 1 { 4.0 } else { 2.0 } * f(x);
    }
    sum * h / 3.0
}

/// The split that uses all `num_perm` values and minimises the FP + FN area at
/// `threshold` among those with `P(threshold) ≥ MIN_RECALL_AT_THRESHOLD`; when no split
/// reaches that (very few values), the one with the highest `P(threshold)`.
///
/// ```
/// use wiretrace::lsh::optimal_params;
/// let p = optimal_params(0.8, 128);
/// assert_eq!(p.values(), 128);
/// assert!(p.candidate_probability(0.8) >= 0.99);
/// ```
pub fn optimal_params(threshold: f64, num_perm: usize) -> LshParams {
    let mut best: Option<(f64, LshParams)> = None;
    let mut fallback = (f64::NEG_INFINITY, LshParams::uniform(1, 1));
    for bands in 1..=num_perm {
        for rows in 1..=num_perm / bands {
            let long_bands = num_perm - bands * rows;
            if long_bands >= bands {
                // The same curve as `bands` bands of more rows, found there.
                continue;
            }
            let p = LshParams {
                bands,
                rows,
                long_bands,
            };
            let at_threshold = p.candidate_probability(threshold);
            if at_threshold > fallback.0 {
                fallback = (at_threshold, p);
            }
            if at_threshold < MIN_RECALL_AT_THRESHOLD {
                continue;
            }
            let fp = integrate(|s| p.candidate_probability(s), 0.0, threshold);
            let fn_ = integrate(|s| 1.0 - p.candidate_probability(s), threshold, 1.0);
            if best.is_none_or(|(cost, _)| fp + fn_ < cost - 1e-12) {
                best = Some((fp + fn_, p));
            }
        }
    }
    best.map_or(fallback.1, |(_, p)| p)
}

/// The band keys of one signature: key `i` is a stable hash of band `i`'s rows, seeded with
/// `i` so that equal rows in different bands never share a key.
/// A signature shorter than the bands need gives keys for the bands it fills.
pub fn band_keys(sig: &[u32], params: LshParams) -> Vec<u64> {
    let mut buf = Vec::with_capacity((params.rows + 1) * 4);
    (0..params.bands)
        .map_while(|band| sig.get(params.band_range(band)).map(|rows| (band, rows)))
        .map(|(band, rows)| {
            buf.clear();
            for v in rows {
                buf.extend_from_slice(&v.to_le_bytes());
            }
            xxh3_64_with_seed(&buf, band as u64)
        })
        .collect()
}

/// Candidate pairs and what bucketing had to cut short.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Candidates {
    /// Document index pairs `(a, b)` with `a < b`, sorted, without repeats.
    pub pairs: Vec<(u32, u32)>,
    /// Buckets larger than `max_bucket`, reduced to star pairs.
    pub oversized_buckets: usize,
    /// The largest bucket (or group of identical signatures) seen, in documents.
    pub largest_bucket: usize,
    /// Groups of identical signatures collapsed to star pairs.
    pub collapsed_groups: usize,
}

/// Groups of identical signatures larger than this are collapsed before banding (see
/// [`candidate_pairs`]).
pub const COLLAPSE_ABOVE: usize = 32;

/// What banding keeps of each signature: its band keys, side by side in one array, and a
/// hash of the whole signature (to find identical ones). A signature of `num_perm` 32-bit
/// values is reduced to `bands + 1` 64-bit words (160 bytes for 512 at the defaults), so
/// a streaming run can keep this for every document and the signatures themselves only
/// where it can read them back ([`candidates_of_bands`]).
#[derive(Debug, Clone)]
pub struct Banded {
    params: LshParams,
    /// `params.bands` keys per signature, in push order.
    keys: Vec<u64>,
    /// The hash of each whole signature.
    whole: Vec<u64>,
    /// Bands filled, per signature, once some signature has been too short to fill them
    /// all (never for a signature of the length the bands were chosen for).
    filled: Option<Vec<u32>>,
}

impl Banded {
    /// No signatures yet, to be cut as `params` says.
    pub fn new(params: LshParams) -> Self {
        Banded {
            params,
            keys: Vec::new(),
            whole: Vec::new(),
            filled: None,
        }
    }

    /// The band keys of every signature in `signatures`, in parallel.
    pub fn of(signatures: &[Signature], params: LshParams) -> Self {
        let mut banded = Banded::new(params);
        let each: Vec<(Vec<u64>, u64)> = signatures
            .par_iter()
            .map(|s| (band_keys(s, params), whole_signature_hash(s)))
            .collect();
        for (keys, whole) in each {
            banded.push_keys(&keys, whole);
        }
        banded
    }

    /// Adds the next signature.
    pub fn push(&mut self, signature: &[u32]) {
        let keys = band_keys(signature, self.params);
        self.push_keys(&keys, whole_signature_hash(signature));
    }

    fn push_keys(&mut self, keys: &[u64], whole: u64) {
        let bands = self.params.bands;
        if keys.len() < bands && self.filled.is_none() {
            self.filled = Some(vec![bands as u32; self.whole.len()]);
        }
        if let Some(filled) = &mut self.filled {
            filled.push(keys.len() as u32);
        }
        self.keys.extend_from_slice(keys);
        // A short signature's missing bands hold zeros that no bucket reads.
        self.keys.extend(std::iter::repeat_n(0, bands - keys.len()));
        self.whole.push(whole);
    }

    /// Signatures pushed.
    pub fn len(&self) -> usize {
        self.whole.len()
    }

    /// Whether none was pushed.
    pub fn is_empty(&self) -> bool {
        self.whole.is_empty()
    }

    /// The bands the signatures are cut into.
    pub fn params(&self) -> LshParams {
        self.params
    }

    /// The key of signature `doc` in `band`, if the signature fills that band.
    fn key(&self, doc: u32, band: usize) -> Option<u64> {
        let doc = doc as usize;
        if let Some(filled) = &self.filled
            && band >= filled[doc] as usize
        {
            return None;
        }
        Some(self.keys[doc * self.params.bands + band])
    }

    /// Bytes held per signature (without the `filled` counts, which short signatures
    /// alone bring in).
    pub fn bytes_per_signature(params: LshParams) -> usize {
        8 * (params.bands + 1)
    }
}

/// A stable hash of a whole signature; equal signatures have equal hashes.
fn whole_signature_hash(signature: &[u32]) -> u64 {
    let bytes: Vec<u8> = signature.iter().flat_map(|v| v.to_le_bytes()).collect();
    xxhash_rust::xxh3::xxh3_64(&bytes)
}

/// Groups of identical signatures, each as its first member and the others.
type Groups = Vec<(u32, Vec<u32>)>;

/// Groups of identical signatures: `(first member, other members)` for each group of more
/// than [`COLLAPSE_ABOVE`] documents, and the documents left to band (the rest, plus each
/// group's first member), ascending. Only documents whose whole-signature hashes are equal
/// have their signatures fetched, to compare them.
fn collapse_identical<E: Send>(
    banded: &Banded,
    signature: &(impl Fn(u32) -> std::result::Result<Signature, E> + Sync),
) -> std::result::Result<(Groups, Vec<u32>), E> {
    let mut order: Vec<(u64, u32)> = banded
        .whole
        .iter()
        .zip(0u32..)
        .map(|(&h, i)| (h, i))
        .collect();
    order.par_sort_unstable();
    let mut banded_docs = Vec::with_capacity(order.len());
    let mut shared = Vec::new();
    for same_hash in order.chunk_by(|x, y| x.0 == y.0) {
        if let [(_, only)] = same_hash {
            banded_docs.push(*only);
        } else {
            shared.push(same_hash);
        }
    }
    // Equal hashes of unequal signatures are split apart: exactness does not rest on the
    // hash.
    let split: Vec<std::result::Result<(Vec<u32>, Groups), E>> = shared
        .par_iter()
        .map(|same_hash| {
            let mut members = same_hash
                .iter()
                .map(|&(_, i)| signature(i).map(|s| (s, i)))
                .collect::<std::result::Result<Vec<_>, E>>()?;
            members.sort_unstable();
            let (mut banded, mut groups) = (Vec::new(), Vec::new());
            for group in members.chunk_by(|x, y| x.0 == y.0) {
                if group.len() > COLLAPSE_ABOVE {
                    banded.push(group[0].1);
                    groups.push((group[0].1, group[1..].iter().map(|m| m.1).collect()));
                } else {
                    banded.extend(group.iter().map(|m| m.1));
                }
            }
            Ok((banded, groups))
        })
        .collect();
    let mut groups = Vec::new();
    for part in split {
        let (banded, found) = part?;
        banded_docs.extend(banded);
        groups.extend(found);
    }
    banded_docs.par_sort_unstable();
    groups.sort_unstable();
    Ok((groups, banded_docs))
}

/// All pairs of documents that share a band key.
///
/// Two guards keep this near linear on adversarial corpora. Documents with *identical*
/// signatures in groups of more than [`COLLAPSE_ABOVE`] (a template posted 100,000 times,
/// a million one-word items) are collapsed first: the group's first member stands for it in
/// the bands and is paired with each other member (a star). And a bucket of more than
/// `max_bucket` documents gives star pairs from its first member only. Both are counted in
/// [`Candidates`]; families stay complete, only the pairs inside such groups are stars.
pub fn candidate_pairs(
    signatures: &[Signature],
    params: LshParams,
    max_bucket: usize,
) -> Candidates {
    let banded = Banded::of(signatures, params);
    let fetch = |i: u32| Ok::<_, std::convert::Infallible>(signatures[i as usize].clone());
    match candidates_of_bands(&banded, fetch, max_bucket) {
        Ok(c) => c,
        Err(never) => match never {},
    }
}

/// [`candidate_pairs`] from what [`Banded`] kept of the signatures: `signature(i)` gives
/// back signature `i` (read from where it was put aside) for the few whose whole-signature
/// hash another shares; its error stops the search.
pub fn candidates_of_bands<E: Send>(
    banded: &Banded,
    signature: impl Fn(u32) -> std::result::Result<Signature, E> + Sync,
    max_bucket: usize,
) -> std::result::Result<Candidates, E> {
    let (groups, banded_docs) = collapse_identical(banded, &signature)?;
    let per_band: Vec<Candidates> = (0..banded.params.bands)
        .into_par_iter()
        .map(|band| {
            let mut bucketed: Vec<(u64, u32)> = banded_docs
                .iter()
                .filter_map(|&doc| banded.key(doc, band).map(|key| (key, doc)))
                .collect();
            bucketed.sort_unstable();
            let mut out = Candidates::default();
            for bucket in bucketed.chunk_by(|x, y| x.0 == y.0) {
                let m = bucket.len();
                out.largest_bucket = out.largest_bucket.max(m);
                if m < 2 {
                    continue;
                }
                if m > max_bucket {
                    out.oversized_buckets += 1;
                    out.pairs
                        .extend(bucket[1..].iter().map(|&(_, d)| (bucket[0].1, d)));
                } else {
                    for (i, &(_, a)) in bucket.iter().enumerate() {
                        out.pairs
                            .extend(bucket[i + 1..].iter().map(|&(_, b)| (a, b)));
                    }
                }
            }
            out
        })
        .collect();
    let mut all = Candidates {
        collapsed_groups: groups.len(),
        ..Candidates::default()
    };
    for (first, others) in groups {
        all.largest_bucket = all.largest_bucket.max(others.len() + 1);
        all.pairs.extend(others.into_iter().map(|d| (first, d)));
    }
    for c in per_band {
        all.pairs.extend(c.pairs);
        all.oversized_buckets += c.oversized_buckets;
        all.largest_bucket = all.largest_bucket.max(c.largest_bucket);
    }
    all.pairs.par_sort_unstable();
    all.pairs.dedup();
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_threshold_gives_high_recall_bands_over_the_whole_signature() {
        let p = optimal_params(0.8, 128);
        assert_eq!((p.bands, p.rows, p.long_bands), (19, 6, 14));
        assert_eq!(p.values(), 128);
        assert_eq!(p.to_string(), "14×7 + 5×6");
        assert!(p.candidate_probability(0.8) > 0.99);
        assert!(p.candidate_probability(0.3) < 0.01);
        // Fewer false positives than the best uniform split, which leaves 32 values unused.
        let uniform = LshParams::uniform(16, 6);
        assert!(p.candidate_probability(0.5) < uniform.candidate_probability(0.5) - 0.04);
        for t in [0.5, 0.7, 0.9] {
            assert_eq!(optimal_params(t, 128).values(), 128, "{t}");
        }
    }

    #[test]
    fn long_bands_come_first_and_tile_the_signature() {
        let p = LshParams {
            bands: 3,
            rows: 2,
            long_bands: 2,
        };
        assert_eq!(
            (0..3).map(|b| p.band_range(b)).collect::<Vec<_>>(),
            [0..3, 3..6, 6..8]
        );
        assert_eq!(p.values(), 8);
        let sig: Vec<u32> = (0..8).collect();
        let keys = band_keys(&sig, p);
        assert_eq!(keys.len(), 3);
        let mut changed = sig.clone();
        changed[7] = 99;
        let other = band_keys(&changed, p);
        assert_eq!(keys[..2], other[..2]);
        assert_ne!(keys[2], other[2]);
        // P(s) of a long band is s³, of a short one s².
        let s: f64 = 0.6;
        let expected = 1.0 - (1.0 - s.powi(3)).powi(2) * (1.0 - s.powi(2));
        assert!((p.candidate_probability(s) - expected).abs() < 1e-12);
    }

    #[test]
    fn curve_moves_with_threshold() {
        let low = optimal_params(0.5, 128);
        let high = optimal_params(0.9, 128);
        assert!(low.candidate_probability(0.5) >= 0.99);
        assert!(high.candidate_probability(0.9) >= 0.99);
        assert!(high.candidate_probability(0.6) < low.candidate_probability(0.6));
        // Too few signature values to reach the floor: the best reachable curve.
        let tiny = optimal_params(0.3, 2);
        assert_eq!((tiny.bands, tiny.rows, tiny.long_bands), (2, 1, 0));
    }

    #[test]
    fn large_groups_of_identical_signatures_become_stars() {
        let same = vec![7u32; 16];
        let mut sigs: Vec<Vec<u32>> = vec![same; COLLAPSE_ABOVE + 2];
        sigs.push((0..16).collect());
        let c = candidate_pairs(&sigs, LshParams::uniform(4, 4), 1000);
        assert_eq!(c.collapsed_groups, 1);
        let expected: Vec<(u32, u32)> = (1..COLLAPSE_ABOVE as u32 + 2).map(|d| (0, d)).collect();
        assert_eq!(c.pairs, expected);
        // A small group keeps all its pairs.
        let small: Vec<Vec<u32>> = vec![vec![3u32; 16]; 4];
        assert_eq!(
            candidate_pairs(&small, LshParams::uniform(4, 4), 1000)
                .pairs
                .len(),
            6
        );
    }

    #[test]
    fn signatures_are_fetched_only_where_whole_hashes_meet() {
        // Random signatures, some repeated (twice, and 40 times: a collapsed group), one
        // shorter than the bands (it takes part in the bands it fills only).
        let mut state = 11u64;
        let mut sigs: Vec<Vec<u32>> = (0..300)
            .map(|_| {
                (0..16)
                    .map(|_| (crate::minhash::splitmix64(&mut state) % 3) as u32)
                    .collect()
            })
            .collect();
        for i in 0..40 {
            sigs.push(sigs[7].clone());
            if i % 10 == 0 {
                sigs.push(sigs[100 + i].clone());
            }
        }
        let mut short = sigs[5].clone();
        short.truncate(9);
        sigs.push(short);
        let params = LshParams::uniform(4, 4);
        let banded = Banded::of(&sigs, params);
        assert_eq!(banded.len(), sigs.len());
        let fetched = std::sync::Mutex::new(Vec::new());
        let fetch = |i: u32| {
            fetched.lock().unwrap().push(i);
            Ok::<_, ()>(sigs[i as usize].clone())
        };
        let c = candidates_of_bands(&banded, fetch, 1000).unwrap();
        let mut fetched = fetched.into_inner().unwrap();
        fetched.sort_unstable();
        let mut shared: Vec<u32> = (0..sigs.len() as u32)
            .filter(|&i| sigs.iter().filter(|s| **s == sigs[i as usize]).count() > 1)
            .collect();
        shared.sort_unstable();
        assert_eq!(fetched, shared);
        assert_eq!(c.collapsed_groups, 1);
        // The same candidates as pairs sharing a band key, found by brute force, less the
        // pairs inside the collapsed group (a star from its first member).
        let keys: Vec<Vec<u64>> = sigs.iter().map(|s| band_keys(s, params)).collect();
        let group: Vec<u32> = (0..sigs.len() as u32)
            .filter(|&i| sigs[i as usize] == sigs[7])
            .collect();
        let mut expected = Vec::new();
        for a in 0..sigs.len() {
            for b in a + 1..sigs.len() {
                let (a, b) = (a as u32, b as u32);
                let hidden = |i: u32| group.contains(&i) && i != group[0];
                let meet = keys[a as usize]
                    .iter()
                    .zip(&keys[b as usize])
                    .any(|(x, y)| x == y);
                let found = if group.contains(&a) && group.contains(&b) {
                    a == group[0]
                } else {
                    !hidden(a) && !hidden(b) && meet
                };
                if found {
                    expected.push((a, b));
                }
            }
        }
        assert_eq!(c.pairs, expected);
        assert_eq!(candidate_pairs(&sigs, params, 1000), c);
        // The short signature matches its original on the two bands it fills.
        assert!(c.pairs.contains(&(5, sigs.len() as u32 - 1)));
        // A failed fetch stops the search.
        let failing = |_| Err::<Vec<u32>, _>("unreadable");
        assert_eq!(
            candidates_of_bands(&banded, failing, 1000),
            Err("unreadable")
        );
    }

    #[test]
    fn rejects_bands_that_do_not_fit() {
        assert!(LshParams::uniform(20, 7).validate(128).is_err());
        assert!(LshParams::uniform(0, 7).validate(128).is_err());
        assert!(LshParams::uniform(16, 8).validate(128).is_ok());
        let long = |long_bands| LshParams {
            bands: 19,
            rows: 6,
            long_bands,
        };
        assert!(long(14).validate(128).is_ok());
        assert!(long(15).validate(128).is_err());
        assert!(long(20).validate(200).is_err());
    }

    #[test]
    fn identical_signatures_collide_and_oversized_buckets_become_stars() {
        let same = vec![7u32; 16];
        let other: Vec<u32> = (0..16).collect();
        let sigs = vec![same.clone(), other, same.clone(), same];
        let p = LshParams::uniform(4, 4);
        let c = candidate_pairs(&sigs, p, 10);
        assert_eq!(c.pairs, [(0, 2), (0, 3), (2, 3)]);
        assert_eq!(c.largest_bucket, 3);
        let c = candidate_pairs(&sigs, p, 2);
        assert_eq!(c.pairs, [(0, 2), (0, 3)]);
        assert_eq!(c.oversized_buckets, 4);
    }
}
