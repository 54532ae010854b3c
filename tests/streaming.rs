//! The streaming `dups` path gives exactly the in-memory results, whatever the batch size.

use std::sync::Mutex;

use wiretrace::dups::{DupsConfig, Progress, StreamOptions, find_duplicates, stream_duplicates};
use wiretrace::{Error, Input, ReadOptions, read_inputs};

mod common;

fn ids_of_pairs(
    docs: &[wiretrace::Document],
    report: &wiretrace::DupsReport,
) -> Vec<(String, String, u64)> {
    report
        .pairs
        .iter()
        .map(|p| {
            (
                docs[p.a as usize].id.clone(),
                docs[p.b as usize].id.clone(),
                (p.similarity.jaccard * 1e9) as u64,
            )
        })
        .collect()
}

fn compare(input: Input, batches: &[usize], spill_after_bytes: Option<usize>) {
    let read = ReadOptions::default();
    let config = DupsConfig::default();
    let corpus = read_inputs(std::slice::from_ref(&input), &read).unwrap();
    let whole = find_duplicates(&corpus.documents, &config).unwrap();
    for &batch in batches {
        let events = Mutex::new(Vec::new());
        let options = StreamOptions {
            spill_dir: None,
            batch: Some(batch),
            spill_after_bytes,
            memory_limit: None,
        };
        let (streamed_corpus, streamed) = stream_duplicates(
            std::slice::from_ref(&input),
            &read,
            &config,
            &options,
            &|p| events.lock().unwrap().push(p),
        )
        .unwrap();
        assert_eq!(streamed_corpus.documents.len(), corpus.documents.len());
        assert!(
            streamed_corpus.documents.iter().all(|d| d.text.is_empty()),
            "texts are dropped"
        );
        assert_eq!(
            ids_of_pairs(&streamed_corpus.documents, &streamed),
            ids_of_pairs(&corpus.documents, &whole),
            "batch {batch}"
        );
        assert_eq!(streamed.families, whole.families);
        assert_eq!(streamed.candidates, whole.candidates);
        common::assert_streamed_shingle_counts(
            &streamed.shingle_counts,
            &whole.shingle_counts,
            &whole.families,
        );
        let events = events.into_inner().unwrap();
        let signed: Vec<usize> = events
            .iter()
            .filter_map(|e| match e {
                Progress::Signed { documents, .. } => Some(*documents),
                _ => None,
            })
            .collect();
        assert!(signed.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(signed.last().copied(), Some(corpus.documents.len()));
        assert!(matches!(events.last(), Some(Progress::Verifying { .. })));
    }
}

#[test]
fn streaming_equals_in_memory_on_reuters() {
    let Some(path) = common::shared_corpus("reuters21578.jsonl") else {
        return;
    };
    let reuters = || Input::Path(path.clone());
    compare(reuters(), &[8192], None);
    // Sets spill to disk after 1 MB: most are read back from the file.
    compare(reuters(), &[1000], Some(1 << 20));
}

#[test]
fn streaming_equals_in_memory_on_the_sample_with_tiny_batches() {
    compare(Input::Path(common::sample("news.jsonl")), &[1, 2, 7], None);
    compare(Input::Path(common::sample("news.jsonl")), &[1, 3], Some(0));
}

#[test]
fn an_unusable_spill_folder_is_a_clear_error() {
    let options = StreamOptions {
        spill_dir: Some("/no/such/folder".into()),
        ..StreamOptions::default()
    };
    let err = stream_duplicates(
        &[Input::Path(common::sample("news.jsonl"))],
        &ReadOptions::default(),
        &DupsConfig::default(),
        &options,
        &|_| {},
    )
    .unwrap_err();
    assert!(matches!(err, Error::Output { .. }));
    assert!(
        err.to_string()
            .starts_with("cannot write '/no/such/folder'"),
        "{err}"
    );
}
