//! Throughput of each stage alone: the document level on Reuters-21578 when `../shared` is
//! present (the bundled sample otherwise), the tokeniser on Urdu and Chinese text (when
//! present), the passage level on a synthetic syndicated corpus. Run with
//! `cargo bench --bench pipeline`.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rayon::prelude::*;
use wiretrace::dups::{DupsConfig, find_duplicates, shingle_documents, sign};
use wiretrace::export::LineageView;
use wiretrace::lsh::candidate_pairs;
use wiretrace::minhash::MinHasher;
use wiretrace::normalize::tokenize;
use wiretrace::passage::align;
use wiretrace::shingle::shingle_sequence;
use wiretrace::synth::{SynthConfig, generate};
use wiretrace::trace::{TraceConfig, find_passages};
use wiretrace::verify::verify;
use wiretrace::{Document, Input, ReadOptions, read_inputs};

/// The binary's allocator, so that the stages are timed as `wiretrace` runs them.
#[global_allocator]
static ALLOCATOR: wiretrace::memory::CountingAllocator = wiretrace::memory::CountingAllocator;

fn corpus() -> Vec<Document> {
    wiretrace::memory::disable_transparent_huge_pages();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let reuters = root.join("../shared/corpora/reuters21578.jsonl");
    let path = if reuters.exists() {
        reuters
    } else {
        root.join("samples/news.jsonl")
    };
    read_inputs(&[Input::Path(path)], &ReadOptions::default())
        .expect("bench corpus")
        .documents
}

fn stages(c: &mut Criterion) {
    let docs = corpus();
    let bytes: u64 = docs.iter().map(|d| d.text.len() as u64).sum();
    let config = DupsConfig::default();
    let lsh = config.resolve_lsh().expect("default parameters");
    let hasher = MinHasher::new(config.num_perm, config.seed);
    let sets = shingle_documents(&docs, config.scheme);
    let sigs = sign(&sets, &hasher);
    let candidates = candidate_pairs(&sigs, lsh, config.max_bucket);

    let mut g = c.benchmark_group("stages");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(bytes));
    g.bench_function("tokenize", |b| {
        b.iter(|| docs.iter().map(|d| tokenize(&d.text).len()).sum::<usize>())
    });
    g.bench_function("shingle", |b| {
        b.iter(|| shingle_documents(black_box(&docs), config.scheme))
    });
    g.bench_function("shingle+sign", |b| {
        b.iter(|| sign(&shingle_documents(black_box(&docs), config.scheme), &hasher))
    });
    // What `dups` does per document: shingles in text order, signed at once; only the
    // documents in a candidate pair are sorted into sets later.
    g.bench_function("shingle+sign streaming", |b| {
        b.iter(|| {
            black_box(&docs)
                .par_iter()
                .map(|d| hasher.signature(&shingle_sequence(&d.text, config.scheme)))
                .collect::<Vec<_>>()
        })
    });
    g.throughput(Throughput::Elements(docs.len() as u64));
    g.bench_function("sign", |b| b.iter(|| sign(black_box(&sets), &hasher)));
    g.bench_function("lsh", |b| {
        b.iter(|| candidate_pairs(black_box(&sigs), lsh, 1000))
    });
    g.throughput(Throughput::Elements(candidates.pairs.len() as u64));
    g.bench_function("verify", |b| {
        b.iter(|| verify(black_box(&candidates.pairs), &sets, &sigs, config.threshold))
    });
    g.finish();
}

/// The tokeniser on text outside ASCII, whose letters go one character at a time through
/// the Unicode classes: COUNTER's Urdu and the Chinese news sample, when `../shared` has
/// them.
fn scripts(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora");
    let mut g = c.benchmark_group("scripts");
    g.sample_size(20);
    for (script, path) in [
        ("Urdu", root.join("reuse/counter-dev/corpus.jsonl")),
        ("Chinese", root.join("zh-news.jsonl")),
    ] {
        if !path.exists() {
            continue;
        }
        let docs = read_inputs(&[Input::Path(path)], &ReadOptions::default())
            .expect("bench corpus")
            .documents;
        let bytes: u64 = docs.iter().map(|d| d.text.len() as u64).sum();
        g.throughput(Throughput::Bytes(bytes));
        g.bench_function(format!("tokenize {script}"), |b| {
            b.iter(|| {
                black_box(&docs)
                    .iter()
                    .map(|d| tokenize(&d.text).len())
                    .sum::<usize>()
            })
        });
    }
    g.finish();
}

/// The passage level on a synthetic syndicated corpus: alignment of one long pair, the whole
/// trace (boilerplate, candidates, alignment), lineage building and the exports.
fn passage_level(c: &mut Criterion) {
    let corpus = generate(&SynthConfig {
        originals: 200,
        outlets: 12,
        distractors: 400,
        seed: 3,
        ..SynthConfig::default()
    });
    let docs = &corpus.documents;
    let bytes: u64 = docs.iter().map(|d| d.text.len() as u64).sum();
    let config = TraceConfig::default();
    let traced = find_passages(docs, &config).expect("trace");
    let lineage = traced.lineage(docs);
    let wire = tokenize(&docs[0].text);
    let copy = tokenize(&docs[1].text);

    let mut g = c.benchmark_group("passages");
    g.sample_size(10);
    g.throughput(Throughput::Elements(1));
    g.bench_function("align one pair", |b| {
        b.iter(|| align(black_box(&wire), &copy, &config.passage))
    });
    g.throughput(Throughput::Bytes(bytes));
    g.bench_function("trace corpus", |b| {
        b.iter(|| find_passages(black_box(docs), &config))
    });
    g.throughput(Throughput::Elements(traced.pairs.len() as u64));
    g.bench_function("build lineage", |b| {
        b.iter(|| traced.lineage(black_box(docs)))
    });
    let corpus_view = wiretrace::Corpus {
        documents: docs.clone(),
        ..Default::default()
    };
    let view = LineageView {
        corpus: &corpus_view,
        config: &config,
        trace: &traced,
        lineage: &lineage,
    };
    g.throughput(Throughput::Elements(lineage.graph.edge_count() as u64));
    g.bench_function("export dot", |b| {
        b.iter(|| {
            let mut out = Vec::new();
            wiretrace::export::dot::write_dot(&view, &mut out).map(|()| out.len())
        })
    });
    g.bench_function("export graphml", |b| {
        b.iter(|| {
            let mut out = Vec::new();
            wiretrace::export::graphml::write_graphml(&view, &mut out).map(|()| out.len())
        })
    });
    g.bench_function("export json", |b| {
        b.iter(|| {
            wiretrace::export::json::lineage_json(&view)
                .to_string()
                .len()
        })
    });
    g.finish();
}

/// One giant family: N identical copies of an article plus 100 unrelated ones. Candidate
/// generation and clustering must stay near linear in N (identical signatures collapse to
/// star pairs), so the 100k case should take about ten times the 10k case.
fn giant_family(c: &mut Criterion) {
    let corpus = generate(&SynthConfig {
        originals: 1,
        outlets: 1,
        distractors: 100,
        seed: 9,
        ..SynthConfig::default()
    });
    let story = corpus.documents[0].text.clone();
    let others: Vec<Document> = corpus.documents[1..].to_vec();
    let mut g = c.benchmark_group("giant family");
    g.sample_size(10);
    for copies in [10_000usize, 100_000] {
        let mut docs: Vec<Document> = (0..copies)
            .map(|i| Document::new(format!("copy-{i}"), story.clone()))
            .collect();
        docs.extend(others.iter().cloned());
        g.throughput(Throughput::Elements(copies as u64));
        g.bench_function(format!("dups {copies} copies"), |b| {
            b.iter(|| {
                find_duplicates(black_box(&docs), &DupsConfig::default()).map(|r| r.pairs.len())
            })
        });
    }
    g.finish();
}

criterion_group!(benches, stages, scripts, passage_level, giant_family);
criterion_main!(benches);
