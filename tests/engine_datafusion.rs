//! `--engine datafusion`: the stages as DataFusion UDFs and queries give the default
//! engine's results on known corpora — the same documents, skips, families and
//! representatives, and only pairs the default engine reports, with the same figures.
#![cfg(feature = "distributed")]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use datafusion::arrow::array::AsArray;
use datafusion::arrow::datatypes::{Float64Type, UInt64Type};
use datafusion::prelude::{ParquetReadOptions, SessionContext};
use serde_json::Value;
use wiretrace::corpus::{Input, ReadOptions, read_inputs};
use wiretrace::distributed::{EngineOptions, EngineRun, run_dups, run_dups_to};
use wiretrace::dups::{DupsConfig, DupsReport, Flow, PairSink, StreamOptions, stream_duplicates};
use wiretrace::trace::TraceConfig;
use wiretrace::verify::VerifiedPair;
use wiretrace::{Document, Result as WtResult};

mod common;

fn default_engine(input: &Path, config: &DupsConfig) -> (Vec<String>, DupsReport) {
    let (corpus, report) = stream_duplicates(
        &[Input::Path(input.to_path_buf())],
        &ReadOptions::default(),
        config,
        &StreamOptions::default(),
        &|_| {},
    )
    .unwrap();
    let ids = corpus.documents.iter().map(|d| d.id.clone()).collect();
    (ids, report)
}

fn datafusion_engine(input: &Path, config: &DupsConfig, options: EngineOptions) -> EngineRun {
    run_dups(
        &[Input::Path(input.to_path_buf())],
        &ReadOptions::default(),
        config,
        &options,
    )
    .unwrap()
}

/// Asserts the engine's run agrees with the default engine's, and returns the number of
/// pairs each reported.
fn assert_agrees(input: &Path, config: &DupsConfig) -> (usize, usize) {
    let (ids, expected) = default_engine(input, config);
    let run = datafusion_engine(input, config, EngineOptions::default());
    let got = &run.report;
    let got_ids: Vec<String> = run.corpus.documents.iter().map(|d| d.id.clone()).collect();
    assert_eq!(got_ids, ids, "documents and their order");
    assert_eq!(got.documents, expected.documents);
    // The engine counts distinct shingles; the default engine streams.
    common::assert_streamed_shingle_counts(
        &expected.shingle_counts,
        &got.shingle_counts,
        &expected.families,
    );
    let skipped = |r: &DupsReport| -> Vec<Option<String>> {
        r.skipped.iter().map(|s| s.id.clone()).collect()
    };
    assert_eq!(skipped(got), skipped(&expected));
    assert_eq!(got.lsh, expected.lsh);
    assert_eq!(
        got.families, expected.families,
        "families and representatives"
    );
    let default_pairs: BTreeMap<(u32, u32), _> =
        expected.pairs.iter().map(|p| ((p.a, p.b), p)).collect();
    for p in &got.pairs {
        let same = default_pairs
            .get(&(p.a, p.b))
            .unwrap_or_else(|| panic!("pair {:?} not reported by the default engine", (p.a, p.b)));
        assert_eq!(p.similarity, same.similarity);
        assert_eq!(p.estimated, same.estimated);
    }
    // Stars span each family: at least one edge per member besides the first.
    let spanning: usize = got.families.iter().map(|f| f.members.len() - 1).sum();
    assert!(got.pairs.len() >= spanning);
    (got.pairs.len(), expected.pairs.len())
}

#[test]
fn bundled_sample_agrees_with_the_default_engine() {
    let (star, all) = assert_agrees(&common::sample("news.jsonl"), &DupsConfig::default());
    assert!(star >= 1 && star <= all);
}

fn synthetic(dir: &Path, documents: usize, seed: u64) -> PathBuf {
    let path = dir.join(format!("synth-{documents}-{seed}.jsonl"));
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    wiretrace::synth::write_news_corpus(documents, seed, &mut out, None).unwrap();
    drop(out);
    path
}

#[test]
fn synthetic_reposts_agree_with_the_default_engine() {
    let dir = tempfile::tempdir().unwrap();
    let input = synthetic(dir.path(), 4000, 11);
    let (star, all) = assert_agrees(&input, &DupsConfig::default());
    // 5 % of 4,000 are reposts: some hundred pairs.
    assert!(star > 100, "{star} pairs");
    assert!(star <= all);
}

#[test]
fn reuters_agrees_with_the_default_engine() {
    let Some(input) = common::shared_corpus("reuters21578.jsonl") else {
        return;
    };
    let (star, all) = assert_agrees(&input, &DupsConfig::default());
    assert!(star > 300 && star <= all, "{star} star pairs, {all} pairs");
}

/// A sink that keeps the pairs it is given and stops after `stop_after` of them.
struct Keep {
    pairs: Vec<VerifiedPair>,
    stop_after: usize,
}

impl PairSink for Keep {
    fn pair(&mut self, docs: &[Document], pair: &VerifiedPair) -> WtResult<Flow> {
        assert!(
            docs[pair.b as usize].text.is_empty(),
            "the client holds metadata only"
        );
        self.pairs.push(*pair);
        Ok(if self.pairs.len() >= self.stop_after {
            Flow::Stop
        } else {
            Flow::Continue
        })
    }
}

#[test]
fn the_engine_pushes_its_pairs_to_a_sink_in_order_and_a_sink_can_stop() {
    let dir = tempfile::tempdir().unwrap();
    let input = [Input::Path(synthetic(dir.path(), 2000, 5))];
    let config = DupsConfig::default();
    let run = |stop_after| {
        let mut sink = Keep {
            pairs: Vec::new(),
            stop_after,
        };
        let options = EngineOptions::default();
        let run = run_dups_to(
            &input,
            &ReadOptions::default(),
            &config,
            &options,
            &mut sink,
        );
        (run.unwrap(), sink.pairs)
    };
    let (all, seen) = run(usize::MAX);
    assert!(seen.len() > 20, "{} pairs", seen.len());
    assert_eq!(seen, all.report.pairs, "every pair, in the report's order");
    assert!(seen.windows(2).all(|w| (w[0].a, w[0].b) < (w[1].a, w[1].b)));
    let (stopped, first) = run(3);
    assert_eq!(first, seen[..3]);
    assert_eq!(
        stopped.report.pairs,
        seen[..3],
        "the pairs read before the stop"
    );
    assert_eq!(
        stopped.report.families, all.report.families,
        "made from all pairs"
    );
}

#[test]
fn cli_engine_jsonl_streams_the_pairs_of_the_json_report() {
    let dir = tempfile::tempdir().unwrap();
    let input = synthetic(dir.path(), 1000, 9);
    let input = input.to_str().unwrap();
    let engine = ["--engine", "datafusion", "-q"];
    let json = json_of(&[&["dups", input, "--format", "json"][..], &engine].concat());
    let out = wiretrace()
        .args([&["dups", input, "--format", "jsonl"][..], &engine].concat())
        .output()
        .unwrap();
    assert!(out.status.success());
    let lines = common::jsonl_values(out.stdout);
    let of = |kind: &str| -> Vec<&Value> { lines.iter().filter(|l| l["type"] == kind).collect() };
    let pairs: Vec<Value> = of("pair")
        .into_iter()
        .map(|l| {
            let mut p = l.clone();
            p.as_object_mut().unwrap().remove("type");
            p
        })
        .collect();
    assert!(pairs.len() > 5, "{} pairs", pairs.len());
    assert_eq!(&pairs, json["pairs"].as_array().unwrap());
    assert_eq!(of("params").len(), 1);
    assert_eq!(of("stats")[0]["pairs"], json["stats"]["pairs"]);
}

#[test]
fn character_shingles_on_chinese_news_agree() {
    let Some(input) = common::shared_corpus("zh-news.jsonl") else {
        return;
    };
    let config = DupsConfig {
        scheme: "chars:5".parse().unwrap(),
        ..DupsConfig::default()
    };
    // Agreement on an empty result would prove nothing: the default engine finds 11 pairs
    // here (`wiretrace dups zh-news.jsonl --shingle chars:5`).
    let (star, all) = assert_agrees(&input, &config);
    assert!(all >= 10, "{all} pairs");
    assert!(star >= 1 && star <= all, "{star} star pairs, {all} pairs");
}

#[test]
fn bad_records_are_accounted_for_as_in_the_default_engine() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("bad.jsonl");
    let story = "China will take a raft of policy measures to push forward the high-quality \
                 development of the rare earth industry, the State Council said on Friday.";
    std::fs::write(
        &input,
        format!(
            "{{\"id\": \"a\", \"text\": \"{story}\"}}\n\
             not json at all\n\
             {{\"id\": \"b\", \"text\": \"!!! ???\"}}\n\
             {{\"id\": \"a\", \"text\": \"a duplicate id\"}}\n\
             {{\"text\": \"no id\"}}\n\
             {{\"id\": \"c\", \"text\": \"{story} Source: Xinhua\", \"date\": \"2023-10-28\"}}\n\
             {{\"id\": \"d\", \"text\": \"\"}}\n"
        ),
    )
    .unwrap();
    let (ids, expected) = default_engine(&input, &DupsConfig::default());
    let run = datafusion_engine(&input, &DupsConfig::default(), EngineOptions::default());
    assert_eq!(ids, ["a", "b", "c"]);
    assert_eq!(run.corpus.skipped.len(), 4);
    assert_eq!(run.report.skipped.len(), 1, "b has no token");
    assert_eq!(run.report.families, expected.families);
    // c is dated, so it represents the family although a came first.
    assert_eq!(run.report.families[0].representative, 2);
    assert_eq!(run.report.pairs.len(), 1);
}

#[test]
fn no_pairs_and_no_documents_are_not_errors() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("unique.jsonl");
    std::fs::write(
        &input,
        "{\"id\": \"x\", \"text\": \"Showers continued throughout the week in the Bahia cocoa zone.\"}\n\
         {\"id\": \"y\", \"text\": \"The Bank of Japan left its discount rate unchanged on Tuesday.\"}\n",
    )
    .unwrap();
    let run = datafusion_engine(&input, &DupsConfig::default(), EngineOptions::default());
    assert!(run.report.pairs.is_empty() && run.report.families.is_empty());
    assert_eq!(run.report.documents, 2);
    let empty = dir.path().join("empty.jsonl");
    std::fs::write(&empty, "").unwrap();
    let run = datafusion_engine(&empty, &DupsConfig::default(), EngineOptions::default());
    assert_eq!(run.report.documents, 0);
}

#[test]
fn results_do_not_depend_on_partitions() {
    let dir = tempfile::tempdir().unwrap();
    let input = synthetic(dir.path(), 1500, 3);
    let one = datafusion_engine(
        &input,
        &DupsConfig::default(),
        EngineOptions {
            partitions: Some(1),
            ..EngineOptions::default()
        },
    );
    let four = datafusion_engine(
        &input,
        &DupsConfig::default(),
        EngineOptions {
            partitions: Some(4),
            ..EngineOptions::default()
        },
    );
    assert_eq!(one.report.pairs, four.report.pairs);
    assert_eq!(one.report.families, four.report.families);
    assert_eq!(one.lineage, four.lineage);
}

/// Rows of a stage table, read back with DataFusion.
fn read_table(dir: &Path, sql: &str) -> Vec<datafusion::arrow::array::RecordBatch> {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let ctx = SessionContext::new();
        for t in [
            "lineage",
            "families",
            "pairs",
            "candidates",
            "oversized_buckets",
            "signatures",
        ] {
            ctx.register_parquet(
                t,
                &format!("{}/", dir.join(t).display()),
                ParquetReadOptions::default(),
            )
            .await
            .unwrap();
        }
        ctx.sql(sql).await.unwrap().collect().await.unwrap()
    })
}

#[test]
fn lineage_per_family_is_the_passage_pipeline_on_each_family() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = wiretrace::synth::generate(&wiretrace::synth::SynthConfig::default());
    let input = dir.path().join("syndicated.jsonl");
    std::fs::write(&input, wiretrace::synth::to_jsonl(&corpus)).unwrap();
    let work = dir.path().join("work");
    let config = DupsConfig::default();
    let run = datafusion_engine(
        &input,
        &config,
        EngineOptions {
            work_dir: Some(work.clone()),
            ..EngineOptions::default()
        },
    );
    assert!(run.lineage.edges > 0);
    let got: BTreeSet<(u64, u64, String, u64)> =
        read_table(&work, "SELECT parent, child, kind, similarity FROM lineage")
            .iter()
            .flat_map(|b| {
                let p = b.column(0).as_primitive::<UInt64Type>().clone();
                let c = b.column(1).as_primitive::<UInt64Type>().clone();
                let k = datafusion::arrow::compute::cast(
                    b.column(2),
                    &datafusion::arrow::datatypes::DataType::Utf8,
                )
                .unwrap();
                let k = k.as_string::<i32>().clone();
                let s = b.column(3).as_primitive::<Float64Type>().clone();
                (0..b.num_rows())
                    .map(|i| {
                        (
                            p.value(i),
                            c.value(i),
                            k.value(i).to_string(),
                            s.value(i).to_bits(),
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .collect();

    let docs = read_inputs(&[Input::Path(input.clone())], &ReadOptions::default())
        .unwrap()
        .documents;
    let trace_config = TraceConfig {
        dups: config.clone(),
        ..TraceConfig::default()
    };
    let mut expected = BTreeSet::new();
    for family in &run.report.families {
        let members: Vec<_> = family
            .members
            .iter()
            .map(|&m| docs[m as usize].clone())
            .collect();
        let trace = wiretrace::trace::find_passages(&members, &trace_config).unwrap();
        let lineage = trace.lineage(&members);
        // The table holds documents only: edges from inferred sources are left out.
        for e in lineage
            .edges()
            .into_iter()
            .filter(|e| lineage.inferred_source(e.parent).is_none())
        {
            expected.insert((
                u64::from(family.members[e.parent as usize]),
                u64::from(family.members[e.child as usize]),
                e.kind.to_string(),
                e.similarity.to_bits(),
            ));
        }
    }
    assert_eq!(got, expected);
    assert_eq!(run.lineage.edges as usize, expected.len());
    // A planted repost is found with the right direction: every truth edge whose two
    // documents share a family appears parent → child.
    let index: BTreeMap<&str, u64> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id.as_str(), i as u64))
        .collect();
    let verbatim = corpus
        .truth
        .iter()
        .filter(|t| t.kind == "verbatim")
        .collect::<Vec<_>>();
    assert!(!verbatim.is_empty());
    for t in verbatim {
        let (p, c) = (index[t.parent.as_str()], index[t.child.as_str()]);
        assert!(
            got.iter().any(|e| e.0 == p && e.1 == c),
            "verbatim copy {} → {} missing",
            t.parent,
            t.child
        );
    }
}

#[test]
fn stage_tables_are_kept_in_the_work_folder_and_it_must_be_empty() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    let run = datafusion_engine(
        &common::sample("news.jsonl"),
        &DupsConfig::default(),
        EngineOptions {
            work_dir: Some(work.clone()),
            ..EngineOptions::default()
        },
    );
    for table in [
        "documents",
        "signatures",
        "band_keys",
        "buckets",
        "oversized_buckets",
        "candidates",
        "pairs",
        "components",
        "families",
        "lineage",
    ] {
        assert!(work.join(table).is_dir(), "{table} missing");
    }
    let pairs = read_table(&work, "SELECT COUNT(*) FROM pairs");
    assert_eq!(
        pairs[0]
            .column(0)
            .as_primitive::<datafusion::arrow::datatypes::Int64Type>()
            .value(0) as usize,
        run.report.pairs.len()
    );
    // Every table says its layout version and signature scheme in its Parquet metadata,
    // and the stored signatures are the default engine's.
    use datafusion::parquet::file::reader::FileReader as _;
    for table in ["documents", "signatures", "pairs"] {
        let file = std::fs::File::open(work.join(table).join("part-00000.parquet")).unwrap();
        let reader = datafusion::parquet::file::reader::SerializedFileReader::new(file).unwrap();
        let kv: BTreeMap<String, Option<String>> = reader
            .metadata()
            .file_metadata()
            .key_value_metadata()
            .unwrap()
            .iter()
            .map(|kv| (kv.key.clone(), kv.value.clone()))
            .collect();
        assert_eq!(
            kv["wiretrace.stage_tables"].as_deref(),
            Some("3"),
            "{table}"
        );
        assert_eq!(
            kv["wiretrace.signature_scheme"].as_deref(),
            Some(wiretrace::minhash::SCHEME),
            "{table}"
        );
    }
    let stored = read_table(&work, "SELECT signature FROM signatures WHERE ordinal = 0");
    let column = stored[0].column(0).as_list::<i32>().value(0);
    let engine_signature: Vec<u32> = column
        .as_primitive::<datafusion::arrow::datatypes::UInt32Type>()
        .values()
        .to_vec();
    let hasher = wiretrace::minhash::MinHasher::new(128, 42);
    let first = read_inputs(
        &[Input::Path(common::sample("news.jsonl"))],
        &ReadOptions::default(),
    )
    .unwrap()
    .documents
    .swap_remove(0);
    let set =
        wiretrace::shingle::shingle_set(&first.text, wiretrace::shingle::ShingleScheme::default());
    assert!(!set.is_empty());
    assert_eq!(engine_signature, hasher.signature(&set));
    let again = run_dups(
        &[Input::Path(common::sample("news.jsonl"))],
        &ReadOptions::default(),
        &DupsConfig::default(),
        &EngineOptions {
            work_dir: Some(work.clone()),
            ..EngineOptions::default()
        },
    );
    let err = again.unwrap_err().to_string();
    assert!(err.contains("not empty"), "{err}");
}

#[test]
fn oversized_buckets_are_listed_and_families_stay_whole() {
    // Forty copies of one story and a cap of ten: every band's bucket is oversized.
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("template.jsonl");
    let mut lines = String::new();
    for i in 0..40 {
        lines.push_str(&format!(
            "{{\"id\": \"copy-{i:02}\", \"text\": \"Sign up for our newsletters to get the latest \
             rare earth news delivered to your inbox every morning, edition {}\"}}\n",
            i % 2
        ));
    }
    std::fs::write(&input, lines).unwrap();
    let config = DupsConfig {
        max_bucket: 10,
        ..DupsConfig::default()
    };
    let run = datafusion_engine(&input, &config, EngineOptions::default());
    assert!(run.report.oversized_buckets > 0);
    assert_eq!(run.report.largest_bucket, 40);
    assert_eq!(run.report.families.len(), 1);
    assert_eq!(run.report.families[0].members.len(), 40);
    assert_eq!(
        run.lineage.skipped_families, 1,
        "a family over the cap has no lineage"
    );
    let (_, expected) = default_engine(&input, &config);
    assert_eq!(run.report.families, expected.families);
}

fn wiretrace() -> Command {
    Command::cargo_bin("wiretrace").unwrap()
}

fn json_of(args: &[&str]) -> Value {
    let out = wiretrace().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn cli_engine_datafusion_prints_the_default_report_shape() {
    let sample = common::sample("news.jsonl");
    let sample = sample.to_str().unwrap();
    let default = json_of(&["dups", sample, "--format", "json"]);
    let engine = json_of(&["dups", sample, "--format", "json", "--engine", "datafusion"]);
    assert_eq!(engine["families"], default["families"]);
    assert_eq!(engine["skipped"], default["skipped"]);
    assert_eq!(engine["params"], default["params"]);
    for p in engine["pairs"].as_array().unwrap() {
        assert!(default["pairs"].as_array().unwrap().contains(p), "{p}");
    }
    let out = wiretrace()
        .args(["dups", sample, "--engine", "ballista"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--scheduler"));
}

#[test]
fn parquet_documents_are_an_input_like_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    let sample = common::sample("news.jsonl");
    let run = datafusion_engine(
        &sample,
        &DupsConfig::default(),
        EngineOptions {
            work_dir: Some(work.clone()),
            ..EngineOptions::default()
        },
    );
    // The engine's own `documents` table, read back as input by the default engine.
    let part = work.join("documents").join("part-00000.parquet");
    let (ids, report) = default_engine(&part, &DupsConfig::default());
    let expected: Vec<String> = run.corpus.documents.iter().map(|d| d.id.clone()).collect();
    assert_eq!(ids, expected);
    assert_eq!(report.families, run.report.families);
    let again = read_inputs(&[Input::Path(part.clone())], &ReadOptions::default()).unwrap();
    let dates: Vec<_> = again.documents.iter().map(|d| d.date.clone()).collect();
    let original = read_inputs(&[Input::Path(sample)], &ReadOptions::default()).unwrap();
    assert_eq!(
        dates,
        original
            .documents
            .iter()
            .map(|d| d.date.clone())
            .collect::<Vec<_>>()
    );
    assert_eq!(again.documents[0].origin.line, Some(1));

    // Not Parquet at all: an error that names the file.
    let fake = dir.path().join("fake.parquet");
    std::fs::write(&fake, "{\"id\": 1}").unwrap();
    let err = read_inputs(&[Input::Path(fake)], &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("fake.parquet") && err.contains("Parquet"),
        "{err}"
    );
}
