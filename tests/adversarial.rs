//! Adversarial corpora, generated (never stored), end to end through the CLI: the run ends
//! in time, exits as documented, and accounts for every record.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

mod common;

fn dups(args: &[&str], input: &Path) -> (Value, String, i32) {
    wiretrace("dups", args, input)
}

/// Runs `wiretrace COMMAND INPUT --format json ARGS`: its JSON output (null when it wrote
/// none), stderr and exit status.
fn wiretrace(command: &str, args: &[&str], input: &Path) -> (Value, String, i32) {
    let out = Command::cargo_bin("wiretrace")
        .unwrap()
        .arg(command)
        .arg(input)
        .args(["--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (json, stderr, out.status.code().unwrap_or(-1))
}

/// records read = documents used + records skipped, the invariant of every run.
fn assert_accounted(json: &Value) {
    let s = &json["stats"];
    assert_eq!(
        s["records_read"].as_u64().unwrap(),
        s["documents"].as_u64().unwrap() + s["skipped"].as_u64().unwrap(),
        "{s}"
    );
}

fn article(rng: &mut common::Rng, words: usize) -> String {
    rng.words(words, 30_000).join(" ")
}

#[test]
fn one_200_mb_document_on_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.jsonl");
    let mut rng = common::Rng::new(1);
    let mut text = String::with_capacity(210 << 20);
    while text.len() < 200 << 20 {
        text.push_str(&article(&mut rng, 1000));
        text.push(' ');
    }
    let line = serde_json::json!({"id": "huge", "text": text}).to_string();
    fs::write(
        &path,
        format!("{line}\n{{\"id\":\"small\",\"text\":\"a short note\"}}\n"),
    )
    .unwrap();
    drop(text);

    // Over the default --max-doc-bytes (64 MiB): skipped and reported, not lost.
    let (json, stderr, code) = dups(&["-q"], &path);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(json["stats"]["skipped_by_reason"]["too-large"], 1);
    assert_eq!(json["stats"]["documents"], 1);
    assert_accounted(&json);

    // With a higher limit it is processed.
    let (json, stderr, code) = dups(&["-q", "--max-doc-bytes", "300000000"], &path);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(json["stats"]["documents"], 2);
    assert_eq!(json["stats"]["skipped"], 0);
}

#[test]
fn a_million_empty_or_one_word_documents() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tiny.jsonl");
    let mut rng = common::Rng::new(2);
    let mut out = String::with_capacity(40 << 20);
    for i in 0..1_000_000 {
        if i % 2 == 0 {
            writeln!(out, r#"{{"id":"e{i}","text":""}}"#).unwrap();
        } else {
            writeln!(out, r#"{{"id":"w{i}","text":"{}"}}"#, rng.word(1000)).unwrap();
        }
    }
    fs::write(&path, out).unwrap();
    let (json, stderr, code) = dups(&["-q"], &path);
    assert_eq!(code, 0, "{stderr}");
    let s = &json["stats"];
    assert_eq!(s["records_read"], 1_000_000);
    assert_eq!(s["skipped_by_reason"]["empty"], 500_000);
    assert_eq!(s["documents"], 500_000);
    assert_accounted(&json);
    // One family per distinct word, each kept linear by collapsing identical signatures.
    let families = s["families"].as_u64().unwrap();
    assert!((900..=1000).contains(&families), "{families}");
    assert_eq!(s["pairs"].as_u64().unwrap(), 500_000 - families);
    assert!(s["collapsed_groups"].as_u64().unwrap() > 0);
}

#[test]
fn a_hundred_thousand_copies_of_one_article() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("copies.jsonl");
    let mut rng = common::Rng::new(3);
    let story = article(&mut rng, 400);
    let mut out = String::with_capacity(300 << 20);
    for i in 0..100_000 {
        writeln!(
            out,
            "{}",
            serde_json::json!({"id": format!("c{i}"), "text": story})
        )
        .unwrap();
    }
    // And some unrelated articles.
    for i in 0..100 {
        writeln!(
            out,
            "{}",
            serde_json::json!({"id": format!("u{i}"), "text": article(&mut rng, 300)})
        )
        .unwrap();
    }
    fs::write(&path, out).unwrap();
    let (json, stderr, code) = dups(&["-q"], &path);
    assert_eq!(code, 0, "{stderr}");
    let s = &json["stats"];
    assert_eq!(s["families"], 1);
    assert_eq!(s["documents_in_families"], 100_000);
    assert_eq!(s["pairs"], 99_999, "star pairs, not 5·10⁹ all-pairs");
    assert_eq!(s["collapsed_groups"], 1);
    assert_eq!(json["families"][0]["representative"], "c0");
    assert_accounted(&json);
}

/// Twenty thousand outlets' pages carry one Kyodo story word for word over two weeks, and
/// Kyodo's own is not in the corpus: one inferred source, every page its copy. Gathering
/// the group compared every copy with every other before (two minutes in a release build
/// for this corpus; one second now).
#[test]
fn twenty_thousand_copies_of_an_unseen_wire_story() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("copies.jsonl");
    let mut rng = common::Rng::new(5);
    let story = format!("TOKYO (Kyodo) -- {}.", article(&mut rng, 60));
    let mut out = String::new();
    for i in 0..20_000 {
        let date = format!(
            "2020-01-{:02}T{:02}:{:02}:00Z",
            1 + i / 1440,
            i / 60 % 24,
            i % 60
        );
        let record = serde_json::json!({
            "id": format!("d{i}"), "source": format!("Outlet {}", i % 50), "date": date,
            "text": story,
        });
        writeln!(out, "{record}").unwrap();
    }
    fs::write(&path, out).unwrap();
    let (json, stderr, code) = wiretrace("lineage", &["-q"], &path);
    assert_eq!(code, 0, "{stderr}");
    assert_accounted(&json);
    let s = &json["stats"];
    assert_eq!(s["inferred_sources"], 1, "{s}");
    assert_eq!(s["lineage_edges"], 20_000, "{s}");
    assert_eq!(s["families"], 1, "{s}");
    let source = json["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["inferred"] == true)
        .unwrap();
    assert_eq!(source["id"], "inferred:kyodo:0");
    assert_eq!(source["inferred_from"].as_array().unwrap().len(), 20_000);
    assert!(
        json["edges"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["parent"] == "inferred:kyodo:0"),
        "every page is a copy of the unseen story"
    );
}

#[test]
fn odd_scripts_bytes_and_line_ends() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("odd.jsonl");
    let mut rng = common::Rng::new(4);
    let body = article(&mut rng, 60);
    let records = [
        serde_json::json!({"id": "punct", "text": "!!! ... ??? --- *** ;;; ((( )))"}),
        serde_json::json!({"id": "emoji", "text": "🎉🎉🔥💯 🚀🚀 ✨"}),
        serde_json::json!({"id": "mixed", "text": format!("Xinhua 新华社 Новости ニュース {body}")}),
        serde_json::json!({"id": "mixed-copy", "text": format!("Xinhua 新华社 Новости ニュース {body}!")}),
        serde_json::json!({"id": "rtl", "text": "وكالة الأنباء الصينية شينخوا تقول إن الاجتماع ناقش صناعة العناصر الأرضية النادرة"}),
        serde_json::json!({"id": "rtl-he", "text": "סוכנות הידיעות שינחואה דיווחה על הפגישה בנושא מתכות נדירות"}),
        serde_json::json!({"id": "nul", "text": format!("before\u{0}after {body}")}),
    ];
    let mut bytes: Vec<u8> = "\u{feff}".as_bytes().to_vec();
    for r in &records {
        bytes.extend_from_slice(r.to_string().as_bytes());
        bytes.extend_from_slice(b"\r\n");
    }
    bytes.extend_from_slice(b"{\"id\": \"cut\", \"text\": \"truncated mid-li");
    fs::write(&path, bytes).unwrap();
    let (json, stderr, code) = dups(&[], &path);
    assert_eq!(code, 0, "{stderr}");
    let s = &json["stats"];
    assert_eq!(s["records_read"], 8);
    assert_eq!(s["skipped_by_reason"]["no-tokens"], 2);
    assert_eq!(
        s["skipped_by_reason"]["malformed-json"], 1,
        "{}",
        json["skipped"]
    );
    assert_eq!(s["documents"], 5);
    assert_accounted(&json);
    assert_eq!(json["pairs"][0]["a"], "mixed");
    assert_eq!(json["pairs"][0]["b"], "mixed-copy");
    assert!(stderr.contains("odd.jsonl:8: malformed JSON"), "{stderr}");

    // The passage level takes the same corpus.
    let out = Command::cargo_bin("wiretrace")
        .unwrap()
        .args(["lineage", "-q", "--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success());
    let lineage: Value = serde_json::from_slice(&out.stdout).unwrap();
    // "mixed", "mixed-copy" and "nul" share the same 60-word body: two edges join them.
    let edges = lineage["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 2);
    for e in edges {
        for end in ["parent", "child"] {
            assert!(
                ["mixed", "mixed-copy", "nul"].contains(&e[end].as_str().unwrap()),
                "{e}"
            );
        }
    }
}

/// A scraper that cut UTF-16 text mid-character and a JSON encoder that escapes all
/// non-ASCII leave a lone `\ud83d` in the record: the record is kept, the half-character
/// read as U+FFFD, with a warning naming the line; a record broken otherwise is still a
/// skip.
#[test]
fn a_lone_surrogate_escape_does_not_lose_the_article() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.jsonl");
    let mut rng = common::Rng::new(11);
    let body = article(&mut rng, 80);
    let lines = [
        serde_json::json!({"id": "wire", "text": body}).to_string(),
        // `json!` would write the emoji whole; the escapes are written by hand.
        format!(r#"{{"id": "repost", "text": "{body} \ud83d"}}"#),
        format!(r#"{{"id": "emoji", "text": "\ud83d\ude00 {body} \udc00\udc00"}}"#),
        format!(r#"{{"id": "broken", "text": "{body} \ud83d}}"#),
    ];
    fs::write(&path, lines.join("\n") + "\n").unwrap();
    let (json, stderr, code) = dups(&[], &path);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(json["stats"]["documents"], 3, "{}", json["skipped"]);
    assert_eq!(json["stats"]["skipped_by_reason"]["malformed-json"], 1);
    assert_accounted(&json);
    assert!(
        stderr.contains(
            "cut.jsonl:2: 1 lone UTF-16 surrogate escape (half of a character) replaced by U+FFFD"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("cut.jsonl:3: 2 lone UTF-16 surrogate escapes"),
        "{stderr}"
    );
    assert!(stderr.contains("cut.jsonl:4: malformed JSON"), "{stderr}");
    let mut pairs: Vec<(String, String)> = json["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let (a, b) = (p["a"].as_str().unwrap(), p["b"].as_str().unwrap());
            (a.min(b).to_string(), a.max(b).to_string())
        })
        .collect();
    pairs.sort();
    let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(
        pairs,
        [
            pair("emoji", "repost"),
            pair("emoji", "wire"),
            pair("repost", "wire")
        ]
    );
}

#[test]
fn memory_limit_is_a_clear_error() {
    let sample = common::sample("news.jsonl");
    let (_, stderr, code) = dups(&["--memory-limit", "1K"], &sample);
    assert_eq!(code, 1);
    assert!(stderr.contains("memory limit of 1024 bytes"), "{stderr}");
    let out = Command::cargo_bin("wiretrace")
        .unwrap()
        .args(["lineage", "--memory-limit", "100K"])
        .arg(&sample)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("memory limit of 102400 bytes") && stderr.contains("raise --memory-limit"),
        "{stderr}"
    );
    // A generous limit changes nothing.
    let (json, _, code) = dups(&["--memory-limit", "1G", "-q"], &sample);
    assert_eq!(code, 0);
    assert_eq!(json["stats"]["pairs"], 2);
}
