//! The passage level with its k-gram counts and its texts moved to disk gives exactly what
//! it gives with them in memory; a folder or disk that cannot take them is a clear error.

use std::path::Path;
use std::process::Command;

use wiretrace::corpus::TextMover;
use wiretrace::trace::{SpillOptions, Trace, TraceConfig, find_passages_with};
use wiretrace::{Document, Input, ReadOptions, read_inputs};

mod common;

/// What a run found, in a form to compare: the pairs and every edge, family and inferred
/// source of the lineage, by document id.
fn found(docs: &[Document], trace: &Trace) -> (String, Vec<String>, usize, String) {
    let lineage = trace.lineage(docs);
    let name = |w: u32| {
        docs.get(w as usize)
            .map_or_else(|| format!("inferred {w}"), |d| d.id.clone())
    };
    let edges = lineage
        .graph
        .edge_indices()
        .map(|e| {
            let (p, c) = lineage.graph.edge_endpoints(e).unwrap();
            format!(
                "{} -> {} (family {}): {:?}",
                name(lineage.graph[p]),
                name(lineage.graph[c]),
                lineage.family[p.index()],
                lineage.graph[e]
            )
        })
        .collect();
    (
        format!("{:?}", trace.pairs),
        edges,
        lineage.families,
        format!("{:?}", lineage.inferred),
    )
}

/// Runs the passage level held in memory, with every k-gram count moved to files in a fresh
/// folder (which is empty again afterwards), and with the texts moved to a file as well,
/// and asserts they all find the same.
fn held_equals_spilled(docs: &[Document]) -> (usize, usize) {
    let config = TraceConfig::default();
    let held = find_passages_with(docs, &config, &SpillOptions::default(), &mut ()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let spill = SpillOptions {
        dir: Some(dir.path().to_path_buf()),
        held_bytes: Some(0),
    };
    let spilled = find_passages_with(docs, &config, &spill, &mut ()).unwrap();
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    assert_eq!(held.stock_phrases, spilled.stock_phrases);
    let (a, b) = (found(docs, &held), found(docs, &spilled));
    assert_eq!(a, b);

    let mut texts = TextMover::new(dir.path(), 0);
    for d in docs {
        texts.push(d.clone());
    }
    let mapped = texts.finish().unwrap();
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    assert!(
        mapped
            .iter()
            .all(|d| d.text.is_mapped() || d.text.is_empty())
    );
    assert_eq!(mapped, docs);
    let from_file = find_passages_with(&mapped, &config, &spill, &mut ()).unwrap();
    assert_eq!(a, found(&mapped, &from_file));
    (a.1.len(), held.stock_phrases)
}

fn read(path: &Path) -> Vec<Document> {
    read_inputs(&[Input::Path(path.to_path_buf())], &ReadOptions::default())
        .unwrap()
        .documents
}

#[test]
fn spilled_equals_held_on_the_sample() {
    let docs = read(&common::sample("news.jsonl"));
    assert!(held_equals_spilled(&docs).0 > 0);
}

#[test]
fn spilled_equals_held_on_reuters() {
    let Some(corpus) = common::shared_corpus("reuters21578.jsonl") else {
        return;
    };
    let (edges, stock_phrases) = held_equals_spilled(&read(&corpus));
    assert!(edges > 1_500, "{edges} edges");
    assert!(stock_phrases > 1_000, "{stock_phrases} stock phrases");
}

#[test]
fn spilled_equals_held_on_a_50000_article_synth_corpus() {
    let mut jsonl = Vec::new();
    wiretrace::synth::write_news_corpus(50_000, 7, &mut jsonl, None).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("news.jsonl");
    std::fs::write(&path, jsonl).unwrap();
    let (edges, _) = held_equals_spilled(&read(&path));
    assert!(edges > 2_000, "{edges} edges");
}

#[test]
fn an_unusable_temp_dir_is_a_clear_error() {
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("lineage.json");
    let run = common::wiretrace()
        .args(["lineage", "-q", "--temp-dir", "/no/such/folder", "-o"])
        .arg(&target)
        .arg(common::sample("news.jsonl"))
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("cannot write '/no/such/folder'"),
        "{stderr}"
    );
    assert!(!target.exists());
}

/// A temporary folder that fills up (here: a file size limit of 2 MB, as a full disk
/// refuses a write) stops the run with an error naming the folder; no output is left at
/// the target path and no temporary file in the folder.
#[test]
fn a_full_temp_dir_is_a_clear_error_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("news.jsonl");
    let mut jsonl = Vec::new();
    wiretrace::synth::write_news_corpus(50_000, 3, &mut jsonl, None).unwrap();
    std::fs::write(&corpus, jsonl).unwrap();
    let spill = dir.path().join("spill");
    std::fs::create_dir(&spill).unwrap();
    let target = dir.path().join("lineage.json");
    // The size limit holds for every file the run writes; ignoring SIGXFSZ makes a write
    // past it fail with "File too large" (EFBIG) instead of killing the process.
    let script = format!(
        "ulimit -f 4000; trap '' XFSZ; exec '{}' lineage -q --memory-limit 2G --temp-dir '{}' -o '{}' '{}'",
        env!("CARGO_BIN_EXE_wiretrace"),
        spill.display(),
        target.display(),
        corpus.display()
    );
    let run = Command::new("sh").arg("-c").arg(script).output().unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("cannot write '{}'", spill.display())),
        "{stderr}"
    );
    assert!(stderr.contains("File too large"), "{stderr}");
    assert!(!target.exists());
    assert_eq!(std::fs::read_dir(&spill).unwrap().count(), 0);
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 2, "{left:?}");
}
