//! LSH recall against brute force on a generated corpus with planted near-duplicates.

use ahash::AHashMap;
use wiretrace::dups::{DupsConfig, find_duplicates, shingle_documents};
use wiretrace::verify::exact_similarity;
use wiretrace::{Document, Input, ReadOptions, read_inputs};

mod common;
use common::Rng;

/// 1,500 unrelated articles, plus 600 edited copies of some of them (0–7 substituted words
/// out of 150–300, i.e. Jaccard from about 0.6 to 1.0) and copies of copies.
fn planted_corpus() -> Vec<Document> {
    let mut rng = Rng::new(2024);
    let mut docs: Vec<Vec<String>> = (0..1500)
        .map(|_| {
            let len = rng.range(150, 300);
            rng.words(len, 20_000)
        })
        .collect();
    for _ in 0..600 {
        let parent = rng.below(docs.len());
        let mut copy = docs[parent].clone();
        for _ in 0..rng.range(0, 7) {
            let at = rng.below(copy.len());
            copy[at] = rng.word(20_000);
        }
        docs.push(copy);
    }
    docs.into_iter()
        .enumerate()
        .map(|(i, words)| Document::new(format!("doc-{i:04}"), words.join(" ")))
        .collect()
}

/// Every pair with exact Jaccard ≥ `threshold`: pairs sharing no shingle have Jaccard 0,
/// so an inverted index over shingles enumerates all candidates exactly.
fn brute_force(docs: &[Document], threshold: f64) -> Vec<(u32, u32)> {
    let config = DupsConfig::default();
    let sets = shingle_documents(docs, config.scheme);
    let mut postings: AHashMap<u64, Vec<u32>> = AHashMap::new();
    for (i, set) in sets.iter().enumerate() {
        for &s in set {
            postings.entry(s).or_default().push(i as u32);
        }
    }
    let mut pairs: Vec<(u32, u32)> = postings
        .values()
        .flat_map(|ds| {
            ds.iter()
                .enumerate()
                .flat_map(move |(i, &a)| ds[i + 1..].iter().map(move |&b| (a, b)))
        })
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    pairs
        .into_iter()
        .filter(|&(a, b)| {
            exact_similarity(&sets[a as usize], &sets[b as usize]).jaccard >= threshold
        })
        .collect()
}

#[test]
fn recall_at_least_99_percent_and_nothing_below_threshold() {
    let docs = planted_corpus();
    let config = DupsConfig::default();
    let truth = brute_force(&docs, config.threshold);
    assert!(truth.len() >= 400, "too few planted pairs: {}", truth.len());
    // The corpus must exercise the hard region just above the threshold.
    let sets = shingle_documents(&docs, config.scheme);
    let near_threshold = truth
        .iter()
        .filter(|&&(a, b)| exact_similarity(&sets[a as usize], &sets[b as usize]).jaccard < 0.88)
        .count();
    assert!(
        near_threshold >= 50,
        "only {near_threshold} pairs in [0.8, 0.88)"
    );

    let report = find_duplicates(&docs, &config).unwrap();
    let found: Vec<(u32, u32)> = report.pairs.iter().map(|p| (p.a, p.b)).collect();
    for p in &report.pairs {
        assert!(
            p.similarity.jaccard >= config.threshold,
            "pair below threshold: {p:?}"
        );
    }
    let hits = truth
        .iter()
        .filter(|t| found.binary_search(t).is_ok())
        .count();
    let recall = hits as f64 / truth.len() as f64;
    eprintln!(
        "planted: {} true pairs ({near_threshold} below 0.88), found {hits}, recall {recall:.4}",
        truth.len()
    );
    assert!(
        recall >= 0.99,
        "recall {recall} ({hits} of {})",
        truth.len()
    );
    assert_eq!(found.len(), hits, "every reported pair is a true pair");
}

#[test]
fn results_do_not_depend_on_thread_count() {
    let docs = planted_corpus();
    let run = |threads| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| find_duplicates(&docs, &DupsConfig::default()).unwrap())
    };
    let (one, four) = (run(1), run(4));
    assert_eq!(one.pairs, four.pairs);
    assert_eq!(one.families, four.families);
}

/// The same check on real data: Reuters-21578's re-sent wire stories. Brute force over the
/// inverted index gives the truth; LSH must find at least 99 % of it.
#[test]
fn reuters_recall() {
    let Some(reuters) = common::shared_corpus("reuters21578.jsonl") else {
        return;
    };
    let corpus = read_inputs(&[Input::Path(reuters)], &ReadOptions::default()).unwrap();
    assert_eq!(corpus.documents.len(), 19_779);
    let config = DupsConfig::default();
    let truth = brute_force(&corpus.documents, config.threshold);
    let report = find_duplicates(&corpus.documents, &config).unwrap();
    let found: Vec<(u32, u32)> = report.pairs.iter().map(|p| (p.a, p.b)).collect();
    let hits = truth
        .iter()
        .filter(|t| found.binary_search(t).is_ok())
        .count();
    eprintln!("reuters: {} true pairs, found {hits}", truth.len());
    assert!(truth.len() > 400, "{} true pairs", truth.len());
    assert!(
        hits as f64 >= 0.99 * truth.len() as f64,
        "{hits} of {}",
        truth.len()
    );
    assert_eq!(found.len(), hits);
}
