//! MinHash estimates Jaccard within the error 128 permutations allow.

use proptest::prelude::*;
use wiretrace::minhash::{MinHasher, estimate_jaccard};
use wiretrace::verify::exact_similarity;

mod common;

/// Two sets sharing `shared` elements, each with `only_a` / `only_b` of its own.
fn sets(base: u64, shared: usize, only_a: usize, only_b: usize) -> (Vec<u64>, Vec<u64>) {
    let mut rng = common::Rng::new(base);
    let common: Vec<u64> = (0..shared).map(|_| rng.next()).collect();
    let mut a = common.clone();
    a.extend((0..only_a).map(|_| rng.next()));
    let mut b = common;
    b.extend((0..only_b).map(|_| rng.next()));
    a.sort_unstable();
    b.sort_unstable();
    (a, b)
}

/// Checks one estimate against 5 standard errors plus one value's worth of rounding. The
/// standard error is √(J(1−J)/m) with m = 128, the signature length — or, for two sets
/// with fewer than 128 distinct shingles between them, m = |A ∪ B|: most bins are then
/// filled by densification, copies of the few that hold a shingle, and no signature can
/// carry more independent draws than there are shingles (J = 3/37 with 128 draws would
/// claim a precision that 37 shingles do not have).
fn within_five_sigma(
    base: u64,
    seed: u64,
    shared: usize,
    only_a: usize,
    only_b: usize,
) -> Result<(), TestCaseError> {
    let (a, b) = sets(base, shared, only_a, only_b);
    let similarity = exact_similarity(&a, &b);
    let j = similarity.jaccard;
    let hasher = MinHasher::new(128, seed);
    let est = estimate_jaccard(&hasher.signature(&a), &hasher.signature(&b));
    let draws = similarity.union.min(128) as f64;
    let sigma = (j * (1.0 - j) / draws).sqrt();
    prop_assert!(
        (est - j).abs() <= 5.0 * sigma + 1.0 / 128.0,
        "J = {j}, estimate = {est}, sigma = {sigma}"
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Each estimate is within 5 standard errors (√(J(1−J)/128)) plus one permutation's
    /// worth of rounding: a failure would mean the permutations are not min-wise.
    #[test]
    fn estimate_within_five_sigma(
        base in any::<u64>(),
        seed in any::<u64>(),
        shared in 1usize..400,
        only_a in 0usize..300,
        only_b in 0usize..300,
    ) {
        within_five_sigma(base, seed, shared, only_a, only_b)?;
    }

    /// The bound for sets smaller than the signature, where most bins are filled by
    /// densification rather than by a shingle of their own (see [`within_five_sigma`]).
    #[test]
    fn densified_estimate_within_five_sigma(
        base in any::<u64>(),
        seed in any::<u64>(),
        shared in 1usize..60,
        only_a in 0usize..40,
        only_b in 0usize..40,
    ) {
        within_five_sigma(base, seed, shared, only_a, only_b)?;
    }

    /// The estimate is symmetric and does not depend on element order or repeats.
    #[test]
    fn estimate_is_symmetric_and_order_free(base in any::<u64>(), shared in 1usize..100) {
        let (a, b) = sets(base, shared, 20, 30);
        let hasher = MinHasher::new(128, 9);
        let (sa, sb) = (hasher.signature(&a), hasher.signature(&b));
        prop_assert_eq!(estimate_jaccard(&sa, &sb), estimate_jaccard(&sb, &sa));
        let mut shuffled: Vec<u64> = a.iter().rev().copied().collect();
        shuffled.extend_from_slice(&a[..a.len() / 2]);
        prop_assert_eq!(hasher.signature(&shuffled), sa);
    }
}

/// Over many pairs the mean absolute error matches theory (≈ 0.8σ for a binomial), so the
/// estimator is not merely within bounds but as good as 128 permutations can be: for sets
/// larger than the signature and for sets of 20–80 shingles, most of whose bins are
/// densified.
#[test]
fn mean_error_matches_binomial_theory() {
    mean_error_within_binomial(|t| (100 + (t % 7) * 40, 60, 90));
    mean_error_within_binomial(|t| (10 + (t % 5) * 10, 10, 20));
}

fn mean_error_within_binomial(sizes: impl Fn(usize) -> (usize, usize, usize)) {
    let hasher = MinHasher::new(128, 42);
    let mut total_err = 0.0;
    let mut total_sigma = 0.0;
    let mut bias = 0.0;
    let trials = 400;
    for t in 0..trials {
        let (shared, only_a, only_b) = sizes(t);
        let (a, b) = sets(t as u64, shared, only_a, only_b);
        let j = exact_similarity(&a, &b).jaccard;
        let est = estimate_jaccard(&hasher.signature(&a), &hasher.signature(&b));
        total_err += (est - j).abs();
        bias += est - j;
        total_sigma += (j * (1.0 - j) / 128.0).sqrt();
    }
    let mean_err = total_err / trials as f64;
    let mean_sigma = total_sigma / trials as f64;
    assert!(
        mean_err < 1.0 * mean_sigma,
        "mean |error| {mean_err} vs σ {mean_sigma}"
    );
    assert!(
        (bias / trials as f64).abs() < 0.01,
        "bias {}",
        bias / trials as f64
    );
}
