//! `wiretrace eval` end to end: a synthetic corpus with complete truth (figures checked
//! against a computation made here), the three labelled reuse corpora of
//! `../shared/corpora/reuse/`, and bad truth files.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use assert_cmd::Command;
use serde_json::{Value, json};
use wiretrace::synth::{SynthConfig, generate};

mod common;

fn wiretrace() -> Command {
    Command::cargo_bin("wiretrace").unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn eval_json(args: &[&str]) -> Value {
    let out = wiretrace()
        .arg("eval")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["evaluation"].clone()
}

fn lineage(corpus: &Path, out: &Path) -> Value {
    lineage_with(corpus, out, &[])
}

fn lineage_with(corpus: &Path, out: &Path, options: &[&str]) -> Value {
    wiretrace()
        .args(["lineage", s(corpus), "-q", "-o", s(out)])
        .args(options)
        .assert()
        .success();
    serde_json::from_str(&fs::read_to_string(out).unwrap()).unwrap()
}

#[test]
fn synthetic_corpus_scores_match_a_direct_count() {
    let dir = tempfile::tempdir().unwrap();
    let synth = generate(&SynthConfig::default());
    let corpus = dir.path().join("corpus.jsonl");
    let lines: String = synth
        .documents
        .iter()
        .map(|d| {
            json!({"id": d.id, "text": d.text, "date": d.date, "source": d.source}).to_string()
                + "\n"
        })
        .collect();
    fs::write(&corpus, lines).unwrap();
    let truth = dir.path().join("truth.json");
    let edges: Vec<Value> = synth
        .truth
        .iter()
        .map(|e| json!({"parent": e.parent, "child": e.child, "label": e.kind}))
        .collect();
    fs::write(&truth, json!({"edges": edges}).to_string()).unwrap();
    let output = dir.path().join("lineage.json");
    let predicted = lineage(&corpus, &output);

    let truth_set: BTreeSet<(String, String)> = synth
        .truth
        .iter()
        .map(|e| (e.parent.clone(), e.child.clone()))
        .collect();
    let predicted_set: BTreeSet<(String, String)> = predicted["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["parent"].as_str().unwrap().to_string(),
                e["child"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let tp = predicted_set.intersection(&truth_set).count() as f64;
    let precision = tp / predicted_set.len() as f64;
    let recall = tp / truth_set.len() as f64;

    let e = eval_json(&[s(&output), "--truth", s(&truth), "--complete"]);
    let round = |x: f64| (x * 1e4).round() / 1e4;
    assert_eq!(e["overall"]["truth_edges"], truth_set.len());
    assert_eq!(e["overall"]["directed"]["precision"], round(precision));
    assert_eq!(e["overall"]["directed"]["recall"], round(recall));
    assert!(e["overall"]["directed"]["f1"].as_f64().unwrap() >= 0.9);
    // Labels are the kinds of copy the generator planted.
    let labels: BTreeSet<&str> = synth.truth.iter().map(|e| e.kind).collect();
    let reported: BTreeSet<&str> = e["by_label"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(reported, labels);
    // Without --complete, nothing is labelled negative: undirected precision is 1.
    let open = eval_json(&[s(&output), "--truth", s(&truth)]);
    assert_eq!(open["overall"]["undirected"]["precision"], 1.0);
    assert_eq!(
        open["predicted_on_unlabelled"].as_u64().unwrap(),
        predicted_set.len() as u64 - open["predicted_on_labelled"].as_u64().unwrap()
    );
}

#[test]
fn the_labelled_reuse_corpora_are_scored() {
    let dir = tempfile::tempdir().unwrap();
    for (name, edges, negatives) in [
        ("clough", 57, 38),
        ("counter-dev", 208, 92),
        ("pan13-train", 200, 105),
    ] {
        let Some(folder) = common::shared_corpus(&format!("reuse/{name}")) else {
            return;
        };
        let corpus = folder.join("corpus.jsonl");
        let truth = folder.join("truth.json");
        let output = dir.path().join(format!("{name}.json"));
        let predicted = lineage(&corpus, &output);
        let e = eval_json(&[s(&output), "--truth", s(&truth), "--corpus", s(&corpus)]);
        assert_eq!(e["command"], "lineage");
        assert_eq!(e["overall"]["truth_edges"], edges, "{name}");
        let n = predicted["edges"].as_array().unwrap().len() as u64;
        assert_eq!(e["predicted_edges"], n, "{name}");
        assert_eq!(
            e["predicted_on_labelled"].as_u64().unwrap()
                + e["predicted_on_unlabelled"].as_u64().unwrap(),
            n
        );
        // Recall recomputed here from the two files.
        let truth_json: Value = serde_json::from_str(&fs::read_to_string(&truth).unwrap()).unwrap();
        let pairs: BTreeSet<(String, String)> = predicted["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let (a, b) = (e["parent"].as_str().unwrap(), e["child"].as_str().unwrap());
                (a.min(b).to_string(), a.max(b).to_string())
            })
            .collect();
        let found = truth_json["edges"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| {
                let (a, b) = (t["parent"].as_str().unwrap(), t["child"].as_str().unwrap());
                pairs.contains(&(a.min(b).to_string(), a.max(b).to_string()))
            })
            .count();
        assert_eq!(
            e["overall"]["undirected"]["true_positives"], found,
            "{name}"
        );
        let fp = truth_json["negatives"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| {
                let (a, b) = (p[0].as_str().unwrap(), p[1].as_str().unwrap());
                pairs.contains(&(a.min(b).to_string(), a.max(b).to_string()))
            })
            .count();
        assert_eq!(e["overall"]["undirected"]["false_positives"], fp, "{name}");
        assert!(negatives >= fp);
        match name {
            "clough" => {
                assert!(e["family_ari"].is_number());
                assert_eq!(e["by_label"].as_object().unwrap().len(), 3);
                // Answers that copied the same original are siblings: the links between
                // two answers stay few (22 before sibling tests, 16 before the hub of two
                // near-identical texts was read from where their own words travelled, 12
                // before the encyclopedia's outlet was learned as the source of copies;
                // 10 measured), and no `non` answer is linked.
                let between_answers = pairs
                    .iter()
                    .filter(|(a, b)| !a.starts_with("orig_") && !b.starts_with("orig_"))
                    .count();
                assert!(between_answers <= 10, "{between_answers}");
                assert_eq!(fp, 0);
                // No dates and no credits, but the articles' own words turn up in the
                // answers: 'wikipedia' acts as the source of copies, and the links from an
                // article to its answers are directed, all rightly (directed recall 0.035
                // before, 0.772 measured).
                let overall = &e["overall"];
                assert_eq!(overall["direction_accuracy"], 1.0);
                let directed_recall = overall["directed"]["recall"].as_f64().unwrap();
                assert!(directed_recall >= 0.75, "directed recall {directed_recall}");
            }
            "pan13-train" => {
                assert_eq!(e["passages"]["cases"], 245);
                let plagdet = e["passages"]["plagdet"].as_f64().unwrap();
                assert!((0.0..=1.0).contains(&plagdet));
                // Per label: verbatim copies are found whole, one detection per case
                // (0.991 measured; 0.844 before overlapping chains were resolved).
                let by_label = e["passages_by_label"].as_object().unwrap();
                assert_eq!(by_label.len(), 2);
                let verbatim = &by_label["02-no-obfuscation:none"];
                assert_eq!(verbatim["cases"], 145);
                assert!(verbatim["plagdet"].as_f64().unwrap() >= 0.95, "{verbatim}");
                assert_eq!(verbatim["granularity"], 1.0);
                assert!(e["family_ari"].is_null(), "its cluster list is empty");
                // No dates: the edges that claim a direction are right (the issue asks for
                // nine in ten; all of them measured: the 2 of 147 labelled links that claim
                // one), the rest undetermined.
                let accuracy = e["overall"]["direction_accuracy"].as_f64().unwrap_or(1.0);
                assert!(accuracy >= 0.9, "direction accuracy {accuracy}");
            }
            "counter-dev" => {
                assert_eq!(e["by_label"].as_object().unwrap().len(), 2);
                // Newspapers rewrite agency copy: the paraphrase path finds a third of the
                // derived pairs found (recall 0.337 → 0.510 measured, precision 0.886 →
                // 0.906; 0.519 and 0.908 with summaries), as edges of kind `rewritten`.
                let undirected = &e["overall"]["undirected"];
                let recall = undirected["recall"].as_f64().unwrap();
                let precision = undirected["precision"].as_f64().unwrap();
                assert!(recall >= 0.48, "recall {recall}");
                assert!(precision >= 0.89, "precision {precision}");
                let rewritten = predicted["edges"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|e| e["kind"] == "rewritten" && e["method"] == "paraphrase")
                    .count();
                assert!(rewritten >= 30, "{rewritten} rewritten edges");
                // A story fed by two sources keeps both as parents: 0406p copies the agency
                // text 0406 (and its twin 0482, dated a day before) nearly word for word,
                // and shares other text with the paper story 0482p, whose passage, bridged
                // over long gaps, spans the agency's.
                let parents: BTreeSet<&str> = predicted["edges"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|e| e["child"] == "0406p")
                    .map(|e| e["parent"].as_str().unwrap())
                    .collect();
                assert!(parents.contains("0482p"), "{parents:?}");
                assert!(
                    parents.contains("0482") || parents.contains("0406"),
                    "{parents:?}"
                );
            }
            _ => assert_eq!(e["by_label"].as_object().unwrap().len(), 2),
        }
    }
}

#[test]
fn summaries_inside_longer_documents_are_found_when_asked_for() {
    // PAN13's summaries: about 100 words inside a text ten times longer, each of a whole
    // source document. Without --summaries only those quoting a sentence word for word are
    // found (plagdet 0.097); with it, 11 more as one passage over both regions (0.233
    // measured), and the verbatim copies score as before.
    let Some(folder) = common::shared_corpus("reuse/pan13-train") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let corpus = folder.join("corpus.jsonl");
    let truth = folder.join("truth.json");
    let mut scores = Vec::new();
    for (name, options) in [("off", &[][..]), ("on", &["--summaries", "on"][..])] {
        let output = dir.path().join(format!("{name}.json"));
        lineage_with(&corpus, &output, options);
        let e = eval_json(&[s(&output), "--truth", s(&truth), "--corpus", s(&corpus)]);
        let plagdet = |label: &str| e["passages_by_label"][label]["plagdet"].as_f64().unwrap();
        let recall = |label: &str| {
            e["by_label"][label]["undirected"]["recall"]
                .as_f64()
                .unwrap()
        };
        scores.push((
            plagdet("05-summary-obfuscation:summary"),
            plagdet("02-no-obfuscation:none"),
            recall("05-summary-obfuscation:summary"),
            e["overall"]["undirected"]["false_positives"].clone(),
        ));
    }
    let (off, on) = (&scores[0], &scores[1]);
    assert!(off.0 < 0.15 && on.0 >= 0.2, "{scores:?}");
    assert_eq!(off.1, on.1, "verbatim copies are not aligned again");
    assert!(on.2 >= off.2 + 0.08, "{scores:?}");
    assert_eq!((&off.3, &on.3), (&json!(0), &json!(0)));
}

#[test]
fn bad_truth_and_outputs_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let corpus = common::sample("news.jsonl");
    let output = d.join("lineage.json");
    lineage(&corpus, &output);
    let cases: [(&str, &str, &str); 4] = [
        (
            "syntax.json",
            "{\n  \"edges\": [\n    {\"parent\": \"a\",,}\n]}",
            "line 3",
        ),
        (
            "dup.json",
            r#"{"edges": [{"parent": "a", "child": "b"}, {"parent": "a", "child": "b"}]}"#,
            "edges[1]: duplicate edge",
        ),
        (
            "field.json",
            r#"{"edges": [{"parent": "a", "child": 7.5}]}"#,
            "edges[0].child",
        ),
        (
            "unknown.json",
            r#"{"edges": [{"parent": "gone", "child": "not-in-corpus"}]}"#,
            "unknown id 'not-in-corpus'",
        ),
    ];
    for (file, text, expected) in cases {
        let truth = d.join(file);
        fs::write(&truth, text).unwrap();
        let out = wiretrace()
            .args(["eval", s(&output), "--truth", s(&truth), "--corpus"])
            .arg(&corpus)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{file}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(file) && err.contains(expected),
            "{file}: {err}"
        );
    }
    // An output that is not wiretrace JSON.
    let truth = d.join("ok.json");
    fs::write(&truth, r#"{"edges": []}"#).unwrap();
    let out = wiretrace()
        .args(["eval", s(&corpus), "--truth", s(&truth)])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // The report may not overwrite the truth.
    wiretrace()
        .args(["eval", s(&output), "--truth", s(&truth), "-o", s(&truth)])
        .assert()
        .code(2);
    assert_eq!(fs::read_to_string(&truth).unwrap(), r#"{"edges": []}"#);
}
