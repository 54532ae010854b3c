//! `wiretrace dedup` and `wiretrace audit` end to end on small corpora with known answers.

use std::collections::BTreeSet;
use std::fs;

use serde_json::Value;

mod common;
use common::wiretrace;

const STORY_A: &str = "The National Development and Reform Commission held a seminar on Tuesday \
    to solicit advice from industry experts on the rare earth industry. Experts revealed problems \
    ranging from unauthorized exploitation to inefficient environmental protection, according to \
    a statement of the commission, and called for tighter export controls on rare earths.";
const STORY_B: &str = "Copper prices edged higher this week as warehouse stocks in Shanghai fell \
    for a third straight week, while traders watched for new signals on infrastructure spending. \
    Aluminium was little changed after smelters in Yunnan restarted idled capacity, and analysts \
    said demand from builders would stay firm into the summer months.";
const OTHER_C: &str = "Lithium extended its slide as new supply from Australia and Africa reached \
    the market faster than battery makers could absorb it, producers said on Monday.";
const OTHER_D: &str = "The central bank kept interest rates unchanged for another quarter, citing \
    slowing growth in exports and weak demand at home, and signalled cuts later in the year.";

/// Two families (a1 a2 a3; b1 b2) and two singletons, with extra fields in varied order.
fn known_corpus() -> Vec<String> {
    vec![
        format!(
            r#"{{"lang":"en","id":"a2","text":"{STORY_A} Source: Xinhua.","date":"2019-06-06","source":"Portal","tags":["x",1]}}"#
        ),
        format!(
            r#"{{"id":"b1","date":"2020-03-01","text":"{STORY_B}","source":"Metals Wire","extra":null}}"#
        ),
        format!(r#"{{"id":"a1","text":"{STORY_A}","source":"Xinhua","date":"2019-06-05"}}"#),
        format!(r#"{{"id":"c","text":"{OTHER_C}","source":"Battery Daily"}}"#),
        format!(
            r#"{{"text":"{STORY_A} Source: Xinhua. Comments are closed. Posted by the editors of the blog.","id":"a3","source":"Blog"}}"#
        ),
        format!(
            r#"{{"id":"b2","text":"{STORY_B} (Metals Wire)","date":"2020-03-02","source":"Markets Portal"}}"#
        ),
        format!(r#"{{"id":"d","text":"{OTHER_D}","date":"2021-01-01"}}"#),
    ]
}

fn run_dedup(keep: &str) -> (Vec<String>, Vec<Value>, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("corpus.jsonl");
    let lines = known_corpus();
    fs::write(&input, lines.join("\n") + "\n").unwrap();
    let output = dir.path().join("clean.jsonl");
    wiretrace()
        .args(["dedup", "-q", "--threshold", "0.7", "--keep", keep])
        .arg(&input)
        .arg("-o")
        .arg(&output)
        .assert()
        .success();
    let kept: Vec<String> = fs::read_to_string(&output)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    let sidecar = dir.path().join("clean.jsonl.dropped.jsonl");
    let mut dropped = common::jsonl_values(fs::read(sidecar).unwrap());
    // The first line describes the run; nothing was skipped here.
    let header = dropped.remove(0);
    assert_eq!(header["wiretrace"], "dedup");
    assert_eq!(header["records_read"], lines.len());
    assert_eq!(header["skipped"], 0);
    assert_eq!(
        header["kept"].as_u64().unwrap() + header["dropped"].as_u64().unwrap(),
        lines.len() as u64
    );
    assert_eq!(header["dropped"], dropped.len());
    (kept, dropped, lines)
}

fn ids(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn dedup_keeps_one_per_family_and_accounts_for_every_document() {
    let (kept, dropped, input) = run_dedup("earliest");
    assert_eq!(ids(&kept), ["b1", "a1", "c", "d"]);
    // Kept records are the input lines byte for byte: field order and extra fields survive.
    for line in &kept {
        assert!(input.contains(line), "{line}");
    }
    let dropped_pairs: Vec<(String, String)> = dropped
        .iter()
        .map(|d| {
            (
                d["dropped"].as_str().unwrap().into(),
                d["kept"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        dropped_pairs,
        [
            ("a2".into(), "a1".into()),
            ("a3".into(), "a1".into()),
            ("b2".into(), "b1".into())
        ]
    );
    // Every input document is kept or listed as dropped, exactly once.
    let mut all: Vec<String> = ids(&kept);
    all.extend(dropped_pairs.iter().map(|(d, _)| d.clone()));
    let all: BTreeSet<String> = all.into_iter().collect();
    assert_eq!(all, ids(&input).into_iter().collect::<BTreeSet<_>>());
    assert_eq!(ids(&kept).len() + dropped_pairs.len(), input.len());
}

#[test]
fn dedup_policies_choose_different_members() {
    let (kept, _, _) = run_dedup("longest");
    assert_eq!(ids(&kept), ["c", "a3", "b2", "d"]);
    let (kept, _, _) = run_dedup("most-cited");
    // Xinhua (a1) and Metals Wire (b1) are the outlets others copy.
    assert_eq!(ids(&kept), ["b1", "a1", "c", "d"]);
}

#[test]
fn dedup_writes_text_file_documents_as_records() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("in");
    fs::create_dir(&folder).unwrap();
    fs::write(folder.join("one.txt"), STORY_A).unwrap();
    fs::write(folder.join("two.txt"), format!("{STORY_A} Source: Xinhua.")).unwrap();
    fs::write(folder.join("three.txt"), OTHER_C).unwrap();
    let output = dir.path().join("out.jsonl");
    let sidecar = dir.path().join("map.jsonl");
    wiretrace()
        .args(["dedup", "-q"])
        .arg(&folder)
        .arg("-o")
        .arg(&output)
        .arg("--dropped")
        .arg(&sidecar)
        .assert()
        .success();
    let kept = common::jsonl_values(fs::read(&output).unwrap());
    assert_eq!(kept.len(), 2);
    assert_eq!(kept[0]["id"], "one.txt");
    assert_eq!(kept[0]["text"], STORY_A);
    assert_eq!(kept[1]["id"], "three.txt");
    let map = fs::read_to_string(&sidecar).unwrap();
    let lines: Vec<&str> = map.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].starts_with(r#"{"wiretrace":"dedup","#), "{map}");
    assert_eq!(
        lines[1],
        r#"{"dropped":"two.txt","kept":"one.txt","family":0}"#
    );
}

#[test]
fn audit_figures_match_a_hand_checked_corpus() {
    let mut lines = known_corpus();
    // An exact duplicate of c once normalised (case and punctuation differ).
    lines.push(format!(
        r#"{{"id":"c-copy","text":"{}","source":"Battery Daily","date":"sometime"}}"#,
        OTHER_C.to_uppercase().replace(',', " ;")
    ));
    lines.push(r#"{"id": "broken", "text": "#.to_string());
    lines.push(r#"{"text": "a record without an id"}"#.to_string());
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("corpus.jsonl");
    fs::write(&input, lines.join("\n") + "\n").unwrap();
    let out = wiretrace()
        .args(["audit", "--threshold", "0.7", "--format", "json", "-q"])
        .arg(&input)
        .output()
        .unwrap();
    assert!(out.status.success());
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let a = &json["audit"];
    assert_eq!(a["records_read"], 10);
    assert_eq!(a["documents"], 8);
    assert_eq!(a["skipped_by_reason"]["malformed-json"], 1);
    assert_eq!(a["skipped_by_reason"]["missing-field"], 1);
    assert_eq!(a["missing_ids"], 1);
    assert_eq!(a["warnings"], 1); // "sometime" is not a date
    assert_eq!(a["exact_duplicates"]["groups"], 1);
    assert_eq!(a["exact_duplicates"]["redundant_documents"], 1);
    assert_eq!(a["exact_duplicates"]["rate"], 0.125);
    // Families: {a1, a2, a3}, {b1, b2}, {c, c-copy}: 4 redundant of 8.
    assert_eq!(a["near_duplicates"]["groups"], 3);
    assert_eq!(a["near_duplicates"]["redundant_documents"], 4);
    assert_eq!(a["near_duplicates"]["rate"], 0.5);
    assert_eq!(a["story_families"], 3);
    assert_eq!(a["documents_in_stories"], 7);
    assert_eq!(a["story_family_sizes"]["3"], 1);
    assert_eq!(a["story_family_sizes"]["2"], 2);
    assert_eq!(a["lineage_edges"], 4);
    // a3 (undated, credits Xinhua), c (undated), c-copy (bad date) have no date.
    assert_eq!(a["missing_dates"], 3);
    assert_eq!(a["unparseable_dates"], 1);
    assert_eq!(a["missing_sources"], 1);
    // Edges: a1→a3 (a3 is undated and credits Xinhua), a1→a2 (date; a2's link to the
    // undated a3 is undetermined, so the dated parent is preferred), b1→b2 (date), and
    // c—c-copy, undetermined (undated, identical), which counts for no outlet.
    let pairs = |key: &str| -> Vec<(String, u64)> {
        a[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["source"].as_str().unwrap().to_string(),
                    s["edges"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let s = |x: &str| x.to_string();
    assert_eq!(
        pairs("top_syndicating_sources"),
        [(s("Xinhua"), 2), (s("Metals Wire"), 1)]
    );
    assert_eq!(
        pairs("top_copying_outlets"),
        [(s("Blog"), 1), (s("Markets Portal"), 1), (s("Portal"), 1)]
    );

    let table = wiretrace()
        .args(["audit", "--threshold", "0.7", "-q"])
        .arg(&input)
        .output()
        .unwrap();
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(
        table.contains("near duplicates         4 redundant in 3 families (50.00%)"),
        "{table}"
    );
}
