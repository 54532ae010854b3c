//! The whole-document pipeline: documents → shingle sets → signatures → candidates →
//! verified pairs → families.
//!
//! Each stage is a pure function of its inputs and the [`DupsConfig`], so the same stages
//! can run on batches on other workers: nothing here reads global state, and every hash and
//! permutation is rebuilt from the seed.

use std::cmp::Ordering;

use rayon::prelude::*;

use crate::cluster::{Family, families};
use crate::corpus::{Document, Skip, SkipReason};
use crate::error::{Error, Result};
use crate::lsh::{LshParams, candidate_pairs, optimal_params};
use crate::minhash::{MinHasher, Signature};
use crate::shingle::{ShingleScheme, shingle_set};
use crate::verify::{VerifiedPair, verify};

/// Parameters of a near-duplicate run.
#[derive(Debug, Clone, PartialEq)]
pub struct DupsConfig {
    /// How documents are shingled.
    pub scheme: ShingleScheme,
    /// MinHash permutations.
    pub num_perm: usize,
    /// Seed of the permutations.
    pub seed: u64,
    /// Minimum exact Jaccard of a reported pair.
    pub threshold: f64,
    /// Bands × rows; `None` chooses them from the threshold ([`optimal_params`]).
    pub lsh: Option<LshParams>,
    /// Buckets with more documents than this give star pairs only (see [`crate::lsh`]).
    pub max_bucket: usize,
}

/// Default seed: any fixed value works; this one is documented so runs can be reproduced.
pub const DEFAULT_SEED: u64 = 42;

impl Default for DupsConfig {
    fn default() -> Self {
        DupsConfig {
            scheme: ShingleScheme::default(),
            num_perm: 128,
            seed: DEFAULT_SEED,
            threshold: 0.8,
            lsh: None,
            max_bucket: 1000,
        }
    }
}

impl DupsConfig {
    /// Checks ranges and resolves the LSH bands.
    pub fn resolve_lsh(&self) -> Result<LshParams> {
        if !(self.threshold > 0.0 && self.threshold <= 1.0) {
            return Err(Error::Config(format!(
                "threshold {} must be in (0, 1]",
                self.threshold
            )));
        }
        if !(1..=4096).contains(&self.num_perm) {
            return Err(Error::Config(format!(
                "num-perm {} must be between 1 and 4096",
                self.num_perm
            )));
        }
        if self.max_bucket < 2 {
            return Err(Error::Config("max-bucket must be at least 2".into()));
        }
        let params = self
            .lsh
            .unwrap_or_else(|| optimal_params(self.threshold, self.num_perm));
        params.validate(self.num_perm)?;
        Ok(params)
    }
}

/// What a run found.
#[derive(Debug, Clone)]
pub struct DupsReport {
    /// The bands actually used.
    pub lsh: LshParams,
    /// Documents that took part (had at least one shingle).
    pub documents: usize,
    /// Documents that had no tokens and were left out, with the reason.
    pub skipped: Vec<Skip>,
    /// Number of candidate pairs LSH proposed.
    pub candidates: usize,
    /// Buckets cut down to star pairs.
    pub oversized_buckets: usize,
    /// Largest bucket, in documents.
    pub largest_bucket: usize,
    /// Verified pairs, sorted by document index; indices point into the input slice.
    pub pairs: Vec<VerifiedPair>,
    /// Families, largest first; indices point into the input slice.
    pub families: Vec<Family>,
    /// Number of shingles of each input document.
    pub shingle_counts: Vec<usize>,
}

/// Stage 1: the shingle set of every document, in parallel, in input order.
pub fn shingle_documents(docs: &[Document], scheme: ShingleScheme) -> Vec<Vec<u64>> {
    docs.par_iter()
        .map(|d| shingle_set(&d.text, scheme))
        .collect()
}

/// Stage 2: the signature of every shingle set, in parallel, in input order.
pub fn sign(sets: &[Vec<u64>], hasher: &MinHasher) -> Vec<Signature> {
    sets.par_iter().map(|s| hasher.signature(s)).collect()
}

/// Runs the pipeline over a corpus.
///
/// ```
/// use wiretrace::{corpus::Document, dups::{find_duplicates, DupsConfig}};
/// let story = "The National Development and Reform Commission held a seminar on Tuesday \
///              to solicit advice from industry experts on the rare earth industry.";
/// let docs = vec![
///     Document::new("xinhua", story),
///     Document::new("repost", format!("{story} Source: Xinhua")),
///     Document::new("other", "Showers continued throughout the week in the Bahia cocoa zone."),
/// ];
/// let report = find_duplicates(&docs, &DupsConfig::default()).unwrap();
/// assert_eq!(report.pairs.len(), 1);
/// assert_eq!(report.families[0].members, [0, 1]);
/// ```
pub fn find_duplicates(docs: &[Document], config: &DupsConfig) -> Result<DupsReport> {
    let lsh = config.resolve_lsh()?;
    if docs.len() > u32::MAX as usize {
        return Err(Error::Config("more than 2³² documents in one batch".into()));
    }
    let sets = shingle_documents(docs, config.scheme);
    let shingle_counts: Vec<usize> = sets.iter().map(Vec::len).collect();

    // Documents without a single token take no part: their empty signature would match
    // every other empty one.
    let active: Vec<u32> = (0..docs.len() as u32)
        .filter(|&i| !sets[i as usize].is_empty())
        .collect();
    let skipped = docs
        .iter()
        .zip(&sets)
        .filter(|(_, s)| s.is_empty())
        .map(|(d, _)| Skip {
            origin: d.origin.clone(),
            id: Some(d.id.clone()),
            reason: SkipReason::NoTokens,
        })
        .collect();
    let active_sets: Vec<Vec<u64>> = active.iter().map(|&i| sets[i as usize].clone()).collect();
    drop(sets);

    let hasher = MinHasher::new(config.num_perm, config.seed);
    let signatures = sign(&active_sets, &hasher);
    let candidates = candidate_pairs(&signatures, lsh, config.max_bucket);
    let local = verify(
        &candidates.pairs,
        &active_sets,
        &signatures,
        config.threshold,
    );

    let pairs: Vec<VerifiedPair> = local
        .into_iter()
        .map(|p| VerifiedPair {
            a: active[p.a as usize],
            b: active[p.b as usize],
            ..p
        })
        .collect();
    let families = families(docs.len(), pairs.iter().map(|p| (p.a, p.b)), |x, y| {
        prefer_representative(docs, &shingle_counts, x, y)
    });
    Ok(DupsReport {
        lsh,
        documents: active.len(),
        skipped,
        candidates: candidates.pairs.len(),
        oversized_buckets: candidates.oversized_buckets,
        largest_bucket: candidates.largest_bucket,
        pairs,
        families,
        shingle_counts,
    })
}

/// Earliest dated first (undated last), then most shingles, then input order.
fn prefer_representative(docs: &[Document], counts: &[usize], x: u32, y: u32) -> Ordering {
    let (dx, dy) = (&docs[x as usize], &docs[y as usize]);
    let date = match (dx.timestamp, dy.timestamp) {
        (Some(a), Some(b)) => a.cmp(&b),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    };
    date.then(counts[y as usize].cmp(&counts[x as usize]))
        .then(x.cmp(&y))
}

#[cfg(test)]
mod tests {
    use super::*;

    const STORY: &str = "China will take a raft of policy measures to push forward the \
        high-quality development of the rare earth industry, according to a decision made at \
        the State Council executive meeting chaired by Premier Li Qiang on Friday.";

    #[test]
    fn earliest_copy_represents_the_family() {
        let docs = vec![
            Document::new("late", STORY).with_date("2023-10-30"),
            Document::new("early", format!("{STORY} Source: China Daily")).with_date("2023-10-28"),
            Document::new("undated", STORY),
        ];
        let report = find_duplicates(&docs, &DupsConfig::default()).unwrap();
        assert_eq!(report.families.len(), 1);
        assert_eq!(report.families[0].representative, 1);
        assert_eq!(report.pairs.len(), 3);
    }

    #[test]
    fn token_free_documents_are_reported_not_matched() {
        let docs = vec![
            Document::new("a", "!!!"),
            Document::new("b", "🎉🎉"),
            Document::new("c", STORY),
        ];
        let report = find_duplicates(&docs, &DupsConfig::default()).unwrap();
        assert!(report.pairs.is_empty());
        assert_eq!(report.documents, 1);
        assert_eq!(report.skipped.len(), 2);
        assert_eq!(report.skipped[0].reason, SkipReason::NoTokens);
    }

    #[test]
    fn bad_parameters_are_errors() {
        let bad = DupsConfig {
            threshold: 1.5,
            ..DupsConfig::default()
        };
        assert!(find_duplicates(&[], &bad).is_err());
        let bad = DupsConfig {
            lsh: Some(LshParams { bands: 64, rows: 4 }),
            ..DupsConfig::default()
        };
        assert!(find_duplicates(&[], &bad).is_err());
    }
}
