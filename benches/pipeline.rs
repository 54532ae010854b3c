//! Throughput of each stage alone, on the Reuters-21578 corpus when `../shared` is present
//! and on the bundled sample otherwise: `cargo bench --bench pipeline`.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use wiretrace::dups::{DupsConfig, shingle_documents, sign};
use wiretrace::lsh::candidate_pairs;
use wiretrace::minhash::MinHasher;
use wiretrace::normalize::tokenize;
use wiretrace::verify::verify;
use wiretrace::{Document, Input, ReadOptions, read_inputs};

fn corpus() -> Vec<Document> {
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

criterion_group!(benches, stages);
criterion_main!(benches);
