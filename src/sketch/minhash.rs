//! Shingle sets → MinHash signatures, by one-permutation hashing with optimal densification.
//!
//! For a random permutation π of the shingle universe, P[min π(A) = min π(B)] = J(A, B), the
//! Jaccard similarity (Broder 1997). Classic MinHash draws `k` independent permutations and
//! hashes every shingle `k` times; the fraction of equal minima estimates J with standard
//! error √(J(1−J)/k), about 0.035 at J = 0.8, k = 128.
//!
//! *One-permutation hashing* (Li, Owen & Zhang, NIPS 2012) hashes every shingle **once**:
//! the hash picks one of `k` bins and a value, and each bin keeps its least value. Two sets
//! agree in a bin with probability J, as with k permutations, but a small set leaves bins
//! empty. *Optimal densification* (Shrivastava, ICML 2017) fills an empty bin `i` by probing
//! bins `p(i, 1), p(i, 2), …` (a fixed hash of the bin and the attempt) until one that was
//! filled, and copying its value. Both documents probe the same sequence, so they agree in
//! `i` exactly when the first bin filled in either is filled in both with the same least
//! value: again probability J, and the estimator's variance is that of k independent
//! permutations up to a small term (Shrivastava's Theorem 2), which
//! `tests/minhash_estimate.rs` checks against the binomial bound.
//!
//! The shingle hash `h` is already a uniform 64-bit value (XXH3), so the one "permutation" is
//! the SplitMix64 finalizer applied to `h` xor a key drawn from the seed: a bijection of the
//! 64-bit words with full avalanche. Its high 32 bits pick the bin (Lemire's multiply-shift
//! range reduction, no division) and its low 32 bits are the value. The key and the probe
//! hash come from SplitMix64 seeded with the user's seed, so a signature depends only on
//! (shingles, seed, length) — any worker can rebuild the hasher, on any platform.
//!
//! Cost: one finalizer and one compare per shingle, then O(k) probes on average for a
//! document with at least `k` shingles (k²/m for a document of m < k shingles): against
//! k multiply-adds per shingle for classic MinHash, ~100× less work at k = 128. The probe
//! sequences depend only on the seed and `k`, so their first 32 steps are drawn once per
//! hasher (a table of 32·k bin numbers): a probe is a table read, not a hash, and four are
//! read at once (whether a probe lands on a filled bin is a coin toss, which a branch per
//! probe would mispredict half the time). Which bins were filled is read off the values
//! after the shingle loop, not marked in it. There is no per-shingle loop left for SIMD to
//! widen; the scatter into bins is a dependent load-compare-store that vector units do not
//! speed up, so one portable path gives the same bits everywhere.
//!
//! The scheme has a name, [`SCHEME`], stored with every index and signature stage table:
//! signatures of different schemes are not comparable, and an index built with another one
//! must be rebuilt.

/// The signature scheme this release computes: one-permutation hashing with optimal
/// densification, version 1. Stored in index manifests and signature stage tables.
pub const SCHEME: &str = "oph-densified/1";

/// The scheme of wiretrace releases before one-permutation hashing: `k` multiply-shift
/// permutations. Indexes that carry no scheme were built with it.
pub const LEGACY_SCHEME: &str = "k-permutations/1";

use std::fmt;
use std::sync::Arc;

/// A MinHash signature: one 32-bit minimum per bin.
pub type Signature = Vec<u32>;

/// The seeded hash family: the signature length, the key of the one permutation, and the
/// key of the densification probes.
///
/// The first 32 probes of every bin depend only on the seed and the length, so they are
/// drawn once here, not once per empty bin of every document.
#[derive(Clone, PartialEq, Eq)]
pub struct MinHasher {
    bins: usize,
    key: u64,
    probe_key: u64,
    /// `probes[i * MAX_RANDOM_PROBES + a]`: the bin probed by empty bin `i` at attempt `a`.
    probes: Arc<[u32]>,
}

impl fmt::Debug for MinHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MinHasher")
            .field("bins", &self.bins)
            .field("key", &self.key)
            .field("probe_key", &self.probe_key)
            .finish_non_exhaustive()
    }
}

/// SplitMix64 (Steele, Lea & Flood 2014): a tiny, fully specified generator, so the
/// hash family is identical on every platform and in every release.
pub fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    mix64(*state)
}

/// SplitMix64's finalizer: a bijection of the 64-bit words in which every input bit flips
/// every output bit with probability ≈ ½.
#[inline(always)]
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `x` scaled from [0, 2³²) to [0, n): Lemire's multiply-shift range reduction.
#[inline(always)]
fn reduce(x: u32, n: usize) -> usize {
    ((x as u64 * n as u64) >> 32) as usize
}

/// Random probes per empty bin before the walk turns to a linear scan from the last probe
/// (still the same sequence for every document, so still unbiased); bounds the work on a
/// document with one shingle to O(k²).
const MAX_RANDOM_PROBES: usize = 32;
// Densification reads the probes four at a time.
const _: () = assert!(MAX_RANDOM_PROBES.is_multiple_of(4));

/// Signatures up to this length mark their filled bins in a buffer on the stack.
const STACK_BINS: usize = 1024;

impl MinHasher {
    /// A signature of `num_perm` values (bins) from `seed`.
    pub fn new(num_perm: usize, seed: u64) -> Self {
        let mut state = seed;
        let key = splitmix64(&mut state);
        let probe_key = splitmix64(&mut state);
        let probes = (0..num_perm)
            .flat_map(|i| {
                (0..MAX_RANDOM_PROBES).map(move |attempt| {
                    let probe = mix64(probe_key ^ ((i as u64) << 32 | attempt as u64));
                    reduce(probe as u32, num_perm) as u32
                })
            })
            .collect();
        MinHasher {
            bins: num_perm,
            key,
            probe_key,
            probes,
        }
    }

    /// Number of values in a signature (the `k` of k-permutation MinHash it stands in for).
    pub fn num_perm(&self) -> usize {
        self.bins
    }

    /// The signature of a shingle set (or any sequence of shingle hashes: repeats do not
    /// change a minimum). An empty input gives all `u32::MAX`.
    ///
    /// ```
    /// use wiretrace::minhash::{MinHasher, estimate_jaccard};
    /// let hasher = MinHasher::new(128, 7);
    /// let a = hasher.signature(&[1, 2, 3, 4]);
    /// assert_eq!(estimate_jaccard(&a, &hasher.signature(&[4, 3, 2, 1])), 1.0);
    /// ```
    pub fn signature(&self, shingles: &[u64]) -> Signature {
        let k = self.bins;
        let mut sig = vec![u32::MAX; k];
        if k == 0 || shingles.is_empty() {
            return sig;
        }
        // The filled bins as a bitset: on the stack up to STACK_BINS bins.
        let words = k.div_ceil(64);
        let mut on_stack = [0u64; STACK_BINS / 64];
        let mut on_heap = Vec::new();
        let filled = if words <= on_stack.len() {
            &mut on_stack[..words]
        } else {
            on_heap.resize(words, 0u64);
            &mut on_heap[..]
        };
        // Plain stores, no running count: each iteration depends on the others only when
        // two shingles land in the same bin. Which bins were filled is read off the values
        // afterwards (a bin still at `u32::MAX` took no shingle), not marked per shingle:
        // marking is a read-modify-write of one of a few words that chained every
        // iteration to the one before. A shingle whose value is `u32::MAX` itself (one in
        // 2³²) would leave its bin looking empty, so then the bins are marked by a second
        // pass.
        let mut at_max = false;
        for &h in shingles {
            let y = mix64(h ^ self.key);
            let bin = reduce((y >> 32) as u32, k);
            at_max |= y as u32 == u32::MAX;
            sig[bin] = sig[bin].min(y as u32);
        }
        if at_max {
            for &h in shingles {
                let bin = reduce((mix64(h ^ self.key) >> 32) as u32, k);
                filled[bin / 64] |= 1 << (bin % 64);
            }
        } else {
            for (word, values) in filled.iter_mut().zip(sig.chunks(64)) {
                *word = values
                    .iter()
                    .enumerate()
                    .fold(0u64, |w, (i, &v)| w | (u64::from(v != u32::MAX) << i));
            }
        }
        self.densify(&mut sig, filled);
        sig
    }

    /// Fills every empty bin with the value of the first filled bin on its probe sequence.
    /// Only the empty bins are visited (the clear bits of `filled`, a word at a time).
    fn densify(&self, sig: &mut [u32], filled: &[u64]) {
        let k = sig.len();
        let is_filled = |p: usize| filled[p / 64] >> (p % 64) & 1 == 1;
        for (w, &bits) in filled.iter().enumerate() {
            let valid = if (w + 1) * 64 <= k {
                u64::MAX
            } else {
                (1u64 << (k % 64)) - 1
            };
            let mut empty = !bits & valid;
            while empty != 0 {
                let i = w * 64 + empty.trailing_zeros() as usize;
                empty &= empty - 1;
                let probes = &self.probes[i * MAX_RANDOM_PROBES..(i + 1) * MAX_RANDOM_PROBES];
                // The first filled probe, four probes at a time: whether a probe is filled
                // is a coin toss, so asking one at a time mispredicts a branch per empty
                // bin; four at once find one nearly always (with a third of the bins empty,
                // all four miss one time in eighty).
                let mut j = probes.chunks_exact(4).find_map(|four| {
                    let hits = four
                        .iter()
                        .enumerate()
                        .fold(0u32, |h, (n, &p)| h | u32::from(is_filled(p as usize)) << n);
                    (hits != 0).then(|| four[hits.trailing_zeros() as usize] as usize)
                });
                if j.is_none() {
                    // Past the random probes: a linear scan from the last one.
                    let last = probes[MAX_RANDOM_PROBES - 1] as usize;
                    j = (1..=k)
                        .map(|step| (last + step) % k)
                        .find(|&p| is_filled(p));
                }
                // Some bin is filled (the input was not empty), so the scan finds one.
                sig[i] = sig[j.expect("a filled bin")];
            }
        }
    }
}

/// The fraction of positions where two signatures agree: an unbiased estimate of Jaccard.
pub fn estimate_jaccard(a: &[u32], b: &[u32]) -> f64 {
    if a.is_empty() || a.len() != b.len() {
        return 0.0;
    }
    let equal = a.iter().zip(b).filter(|(x, y)| x == y).count();
    equal as f64 / a.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_hasher_and_frozen_values() {
        assert_eq!(MinHasher::new(128, 1), MinHasher::new(128, 1));
        assert_ne!(MinHasher::new(128, 1), MinHasher::new(128, 2));
        // Frozen: the first SplitMix64 output for seed 0 (from the reference implementation),
        // and a signature — stored signatures depend on both; a change here is a new SCHEME.
        assert_eq!(splitmix64(&mut 0), 0xE220_A839_7B1D_CDAF);
        // The values were computed by an independent Python transcription of the module
        // docs; three shingles fill two of eight bins, so densification is frozen too.
        assert_eq!(
            MinHasher::new(8, 42).signature(&[1, 2, 3]),
            [
                1_018_193_436,
                2_174_415_560,
                2_174_415_560,
                2_174_415_560,
                1_018_193_436,
                1_018_193_436,
                2_174_415_560,
                2_174_415_560
            ]
        );
    }

    /// The scheme as the module docs state it, one probe hash at a time: the fast path
    /// (probe table, stack buffer) must give the same bits.
    fn reference_signature(hasher: &MinHasher, shingles: &[u64]) -> Vec<u32> {
        let k = hasher.bins;
        let mut sig = vec![u32::MAX; k];
        let mut filled = vec![false; k];
        for &h in shingles {
            let y = mix64(h ^ hasher.key);
            let bin = reduce((y >> 32) as u32, k);
            filled[bin] = true;
            sig[bin] = sig[bin].min(y as u32);
        }
        if shingles.is_empty() {
            return sig;
        }
        for i in 0..k {
            if filled[i] {
                continue;
            }
            let mut j = 0;
            let mut attempt = 0;
            loop {
                if attempt < MAX_RANDOM_PROBES as u64 {
                    let probe = mix64(hasher.probe_key ^ ((i as u64) << 32 | attempt));
                    j = reduce(probe as u32, k);
                    attempt += 1;
                } else {
                    j = (j + 1) % k;
                }
                if filled[j] {
                    break;
                }
            }
            sig[i] = sig[j];
        }
        sig
    }

    #[test]
    fn fast_path_gives_the_reference_bits() {
        let mut state = 99;
        for k in [1, 2, 7, 64, 128, 256, STACK_BINS, STACK_BINS + 1, 3000] {
            let hasher = MinHasher::new(k, k as u64);
            for len in [0, 1, 2, 3, 10, 50, 127, 128, 129, 400, 5000] {
                let shingles: Vec<u64> = (0..len).map(|_| splitmix64(&mut state)).collect();
                assert_eq!(
                    hasher.signature(&shingles),
                    reference_signature(&hasher, &shingles),
                    "k = {k}, {len} shingles"
                );
            }
        }
    }

    /// The inverse of [`mix64`] (each xor-shift and odd multiplication undone), to make a
    /// shingle of a chosen value.
    fn unmix64(mut z: u64) -> u64 {
        let inverse = |a: u64| {
            // Newton's iteration for a⁻¹ mod 2⁶⁴: each step doubles the correct bits.
            let mut x = a;
            for _ in 0..6 {
                x = x.wrapping_mul(2u64.wrapping_sub(a.wrapping_mul(x)));
            }
            x
        };
        z ^= (z >> 31) ^ (z >> 62);
        z = z.wrapping_mul(inverse(0x94D0_49BB_1331_11EB));
        z ^= (z >> 27) ^ (z >> 54);
        z = z.wrapping_mul(inverse(0xBF58_476D_1CE4_E5B9));
        z ^ (z >> 30) ^ (z >> 60)
    }

    #[test]
    fn a_shingle_whose_value_is_the_largest_still_fills_its_bin() {
        let mut state = 5;
        for k in [1, 7, 128, 3000] {
            let hasher = MinHasher::new(k, 3);
            // A shingle of value u32::MAX in bin 0 (high bits 0), with a few ordinary ones:
            // its bin is filled, though its value is that of an empty bin.
            let at_max = unmix64(u64::from(u32::MAX)) ^ hasher.key;
            assert_eq!(mix64(at_max ^ hasher.key), u64::from(u32::MAX));
            for others in [0, 1, 5] {
                let mut shingles: Vec<u64> = (0..others).map(|_| splitmix64(&mut state)).collect();
                shingles.push(at_max);
                let sig = hasher.signature(&shingles);
                assert_eq!(sig, reference_signature(&hasher, &shingles), "k = {k}");
                if others == 0 {
                    assert!(sig.iter().all(|&v| v == u32::MAX), "k = {k}");
                }
            }
        }
    }

    #[test]
    fn every_bin_is_a_least_value_of_its_shingles_or_a_copy_of_a_filled_bin() {
        let hasher = MinHasher::new(64, 11);
        let shingles: Vec<u64> = (0..40u64).map(|i| splitmix64(&mut i.clone())).collect();
        let sig = hasher.signature(&shingles);
        let mut bins: Vec<Option<u32>> = vec![None; 64];
        for &h in &shingles {
            let y = mix64(h ^ hasher.key);
            let bin = reduce((y >> 32) as u32, 64);
            bins[bin] = Some(bins[bin].map_or(y as u32, |v| v.min(y as u32)));
        }
        let filled: Vec<u32> = bins.iter().flatten().copied().collect();
        assert!(filled.len() < 64, "40 shingles leave bins empty");
        for (i, (&value, own)) in sig.iter().zip(&bins).enumerate() {
            match own {
                Some(v) => assert_eq!(value, *v, "bin {i} keeps its least value"),
                None => assert!(filled.contains(&value), "bin {i} copies a filled bin"),
            }
        }
    }

    #[test]
    fn one_shingle_fills_every_bin_and_empty_input_none() {
        let hasher = MinHasher::new(128, 3);
        let sig = hasher.signature(&[12345]);
        assert!(sig.iter().all(|&v| v == sig[0]));
        assert!(hasher.signature(&[]).iter().all(|&v| v == u32::MAX));
        assert!(MinHasher::new(0, 3).signature(&[1, 2]).is_empty());
    }

    #[test]
    fn densified_bins_agree_only_through_shared_shingles() {
        // Two disjoint small sets: every bin, filled or densified, must disagree.
        let hasher = MinHasher::new(128, 5);
        let a: Vec<u64> = (0..10u64).map(|i| splitmix64(&mut i.clone())).collect();
        let b: Vec<u64> = (100..110u64).map(|i| splitmix64(&mut i.clone())).collect();
        assert_eq!(
            estimate_jaccard(&hasher.signature(&a), &hasher.signature(&b)),
            0.0
        );
    }
}
