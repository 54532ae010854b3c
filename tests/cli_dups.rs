//! `wiretrace dups` end to end: known corpora with known answers, and every kind of bad input.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

mod common;

fn wiretrace() -> Command {
    Command::cargo_bin("wiretrace").unwrap()
}

/// Runs `dups ARGS --format json` and returns (parsed JSON, stderr, exit code).
fn dups_json(args: &[&str]) -> (Value, String, i32) {
    let out = wiretrace()
        .arg("dups")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}); stderr: {stderr}"));
    (json, stderr, out.status.code().unwrap_or(-1))
}

fn pair_ids(json: &Value) -> Vec<(String, String)> {
    json["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["a"].as_str().unwrap().to_string(),
                p["b"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn seed_text(prefix: &str) -> String {
    let dir = common::sample("seeds");
    let entry = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .unwrap();
    fs::read_to_string(entry).unwrap()
}

#[test]
fn seeds_boilerplate_is_not_a_duplicate_but_a_planted_repost_is() {
    let dir = tempfile::tempdir().unwrap();
    for entry in fs::read_dir(common::sample("seeds")).unwrap() {
        let path = entry.unwrap().path();
        fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    // A portal reposts the Xinhua story (003) with its own header and footer and one edit.
    let xinhua = seed_text("003");
    let repost = format!(
        "Rare Earth Times | Policy\n\n{}\n\nSource: Xinhua. All rights reserved.\n",
        xinhua.replace("seminar Tuesday", "seminar on Tuesday")
    );
    fs::create_dir(dir.path().join("reposts")).unwrap();
    fs::write(dir.path().join("reposts/xinhua-repost.txt"), repost).unwrap();

    let (json, _, code) = dups_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, 0);
    assert_eq!(
        pair_ids(&json),
        [(
            "003_d9ba3fde3b5fddd2.txt".to_string(),
            "reposts/xinhua-repost.txt".to_string()
        )]
    );
    let pair = &json["pairs"][0];
    assert!(pair["jaccard"].as_f64().unwrap() >= 0.8);
    assert!(pair["containment"].as_f64().unwrap() > 0.9);
    assert_eq!(json["families"][0]["members"].as_array().unwrap().len(), 2);
    assert_eq!(json["stats"]["documents"], 6);

    // 002 and 004 share only the aggregator's newsletter block: not near-duplicates even at
    // a much lower threshold.
    let (json, _, _) = dups_json(&[dir.path().to_str().unwrap(), "--threshold", "0.2"]);
    assert!(
        !pair_ids(&json)
            .iter()
            .any(|(a, b)| a.starts_with("002") && b.starts_with("004")),
        "{json}"
    );
}

#[test]
fn bundled_sample_gives_the_known_family() {
    let sample = common::sample("news.jsonl");
    let (json, stderr, code) = dups_json(&[sample.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        pair_ids(&json),
        [
            (
                "seed-003_d9ba3fde3b5fddd2".to_string(),
                "portal-0606-rare-earth-advice".to_string()
            ),
            (
                "portal-0606-rare-earth-advice".to_string(),
                "blog-0608-ndrc-advice".to_string()
            ),
        ]
    );
    let family = &json["families"][0];
    assert_eq!(family["representative"], "seed-003_d9ba3fde3b5fddd2");
    assert_eq!(family["size"], 3);
    assert_eq!(json["stats"]["records_read"], 9);
    assert_eq!(json["stats"]["redundant_documents"], 2);
    assert_eq!(json["params"]["bands"], 19);
    assert_eq!(json["params"]["rows"], 6);
    assert_eq!(json["params"]["long_bands"], 14);
    assert!(stderr.contains("read 9 records: 9 documents used, 0 skipped"));
    // stderr is not a terminal here: no progress line, only the summary.
    assert!(!stderr.contains("reading and signing"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn table_and_jsonl_formats() {
    let sample = common::sample("news.jsonl");
    let out = wiretrace()
        .args(["dups", sample.to_str().unwrap()])
        .output()
        .unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.contains("2 verified, 1 families (2 redundant documents)"),
        "{table}"
    );
    assert!(table.contains("family 0: 3 documents, keep seed-003_d9ba3fde3b5fddd2"));

    let out = wiretrace()
        .args(["dups", sample.to_str().unwrap(), "--format", "jsonl", "-q"])
        .output()
        .unwrap();
    assert!(out.stderr.is_empty());
    let lines = common::jsonl_values(out.stdout);
    let types: Vec<&str> = lines.iter().map(|l| l["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["params", "pair", "pair", "family", "stats"]);
}

#[test]
fn output_file_is_written_whole() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("pairs.json");
    wiretrace()
        .args([
            "dups",
            common::sample("news.jsonl").to_str().unwrap(),
            "--format",
            "json",
        ])
        .arg("-o")
        .arg(&target)
        .assert()
        .success()
        .stdout("");
    let json: Value = serde_json::from_str(&fs::read_to_string(&target).unwrap()).unwrap();
    assert_eq!(json["stats"]["pairs"], 2);
    let names: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 1, "no temporary file is left behind");

    let missing_dir = dir.path().join("no/such/dir/out.json");
    let out = wiretrace()
        .args(["dups", common::sample("news.jsonl").to_str().unwrap(), "-o"])
        .arg(&missing_dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write"));
}

#[test]
fn chinese_repost_is_found() {
    let original = "新华社北京6月5日电 国家发展改革委5日召开稀土产业发展座谈会，听取有关专家和企业\
        对推动稀土产业高质量发展的意见建议。与会专家反映了稀土行业存在的非法开采、环境保护不到位、\
        资源利用水平不高等问题，建议进一步加强稀土行业全方位监管，严厉打击非法开采和走私，\
        加快推动产业转型升级。国家发展改革委有关负责人表示，将认真研究吸纳专家意见，\
        会同有关部门采取有效措施，促进稀土产业持续健康发展。";
    let repost = format!("稀土产业迎来新政策 发改委召开座谈会\n{original}\n（来源：新华网）");
    let unrelated = "中关村在线报道：佳能EOS 7D单反相机近日在北京市场报价下调，套机价格为11500元，\
        适合摄影爱好者选购，商家还赠送原装电池和存储卡。";
    let input = [
        serde_json::json!({"id": "xinhua", "text": original}),
        serde_json::json!({"id": "portal", "text": repost}),
        serde_json::json!({"id": "camera", "text": unrelated}),
    ]
    .iter()
    .map(|v| v.to_string() + "\n")
    .collect::<String>();
    for shingle in ["words:5", "chars:5"] {
        let out = wiretrace()
            .args(["dups", "-", "--format", "json", "--shingle", shingle])
            .write_stdin(input.clone())
            .output()
            .unwrap();
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            pair_ids(&json),
            [("xinhua".to_string(), "portal".to_string())],
            "{shingle}"
        );
    }
}

/// THUCNews sample: the corpus README's brute-force ground truth at Jaccard ≥ 0.8 is 11
/// pairs in two clusters (five Canon EOS 7D price reports, and 0221/0407).
#[test]
fn chinese_news_sample_matches_its_ground_truth() {
    let Some(zh) = common::shared_corpus("zh-news.jsonl") else {
        return;
    };
    let (json, _, _) = dups_json(&[zh.to_str().unwrap(), "--shingle", "chars:5", "-q"]);
    assert_eq!(json["stats"]["pairs"], 11);
    let families: Vec<Vec<String>> = json["families"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            f["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| {
                    m.as_str()
                        .unwrap()
                        .trim_start_matches("thucnews-cnews-test-")
                        .to_string()
                })
                .collect()
        })
        .collect();
    assert_eq!(
        families,
        [
            vec!["0201", "0469", "0689", "0697", "0956"],
            vec!["0221", "0407"]
        ]
    );
}

fn write_bad_corpus(dir: &Path) {
    let good = seed_text("000");
    fs::write(dir.join("a-good.txt"), &good).unwrap();
    fs::write(
        dir.join("b-bad-utf8.txt"),
        b"line one\nline two\nbad \xff\xfe byte\n",
    )
    .unwrap();
    fs::write(dir.join("c-empty.md"), "  \n\n").unwrap();
    fs::write(dir.join("d-symbols.txt"), "!!! *** 🎉🎉🎉 ---").unwrap();
    fs::write(dir.join("notes.csv"), "not,a,document").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.join("nowhere.txt"), dir.join("e-broken.txt")).unwrap();
    let mut jsonl: Vec<u8> = Vec::new();
    let lines: [&[u8]; 12] = [
        br#"{"id": "j1", "text": "The first story about copper prices in Shanghai this week."}"#,
        br#"{"id": "j2", "text": "unterminated"#,
        br#"[1, 2, 3]"#,
        br#"{"text": "no id here"}"#,
        br#"{"id": "j5"}"#,
        br#"{"id": true, "text": "id of the wrong type"}"#,
        br#"{"id": "j1", "text": "a second record with the same id"}"#,
        b"{\"id\": \"j8\", \"text\": \"bad \xff byte\"}",
        br#"{"id": "j9", "text": ""}"#,
        b"   ",
        br#"{"id": 10, "text": "Numeric ids are accepted.", "date": "last Tuesday"}"#,
        br#"{"id": "j12", "text": "truncated by a cra"#,
    ];
    for (i, l) in lines.iter().enumerate() {
        jsonl.extend_from_slice(l);
        if i + 1 < lines.len() {
            jsonl.extend_from_slice(b"\r\n");
        }
    }
    fs::write(dir.join("f-data.jsonl"), jsonl).unwrap();
}

#[test]
fn every_bad_record_is_skipped_with_file_line_and_reason() {
    let dir = tempfile::tempdir().unwrap();
    write_bad_corpus(dir.path());
    let root = dir.path().to_str().unwrap();
    let (json, stderr, code) = dups_json(&[root]);
    assert_eq!(code, 0, "{stderr}");

    let skipped: Vec<(String, Option<u64>, String)> = json["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let path = s["path"].as_str().unwrap();
            let name = Path::new(path)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (
                name,
                s["line"].as_u64(),
                s["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expect = |name: &str, line: Option<u64>, kind: &str| {
        assert!(
            skipped.contains(&(name.to_string(), line, kind.to_string())),
            "missing {name}:{line:?} {kind} in {skipped:?}"
        );
    };
    expect("b-bad-utf8.txt", None, "invalid-utf8");
    expect("c-empty.md", None, "empty");
    expect("d-symbols.txt", None, "no-tokens");
    expect("e-broken.txt", None, "unreadable");
    expect("f-data.jsonl", Some(2), "malformed-json");
    expect("f-data.jsonl", Some(3), "not-an-object");
    expect("f-data.jsonl", Some(4), "missing-field");
    expect("f-data.jsonl", Some(5), "missing-field");
    expect("f-data.jsonl", Some(6), "wrong-type");
    expect("f-data.jsonl", Some(7), "duplicate-id");
    expect("f-data.jsonl", Some(8), "invalid-utf8");
    expect("f-data.jsonl", Some(9), "empty");
    expect("f-data.jsonl", Some(12), "malformed-json");
    assert_eq!(skipped.len(), 13);

    // Nothing lost: every record is either used or skipped.
    let stats = &json["stats"];
    assert_eq!(stats["records_read"], 16);
    assert_eq!(stats["documents"], 3); // a-good.txt, j1, 10
    assert_eq!(stats["skipped"], 13);
    assert_eq!(
        stats["ignored_files"][0].as_str().unwrap(),
        format!("{root}/notes.csv")
    );
    assert_eq!(stats["warnings"], 1);
    assert!(
        json["warnings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("last Tuesday")
    );

    // The messages name file, line and reason.
    assert!(
        stderr.contains("read 16 records: 3 documents used, 13 skipped, 1 warnings"),
        "{stderr}"
    );
    assert!(
        stderr.contains("b-bad-utf8.txt: invalid UTF-8 at line 3 (byte 22)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("f-data.jsonl:7: duplicate id 'j1' (first seen at"),
        "{stderr}"
    );
    assert!(stderr.contains("and 3 more"), "{stderr}");
    let reasons = json["skipped"].as_array().unwrap();
    let truncated = reasons.iter().find(|r| r["line"] == 12).unwrap();
    assert!(
        truncated["reason"]
            .as_str()
            .unwrap()
            .contains("EOF while parsing")
    );
    assert!(
        truncated["reason"]
            .as_str()
            .unwrap()
            .contains("(line truncated?)")
    );
    assert!(reasons.iter().any(|r| r["reason"] == "missing field 'id'"));
    assert!(
        reasons
            .iter()
            .any(|r| r["reason"] == "field 'id' is not a string or an integer")
    );
}

#[test]
fn strict_mode_fails_on_skips() {
    let dir = tempfile::tempdir().unwrap();
    write_bad_corpus(dir.path());
    wiretrace()
        .args(["dups", "--strict", "-q"])
        .arg(dir.path())
        .assert()
        .code(3);
    wiretrace()
        .args([
            "dups",
            "--strict",
            "-q",
            common::sample("news.jsonl").to_str().unwrap(),
        ])
        .assert()
        .code(0);
}

#[test]
fn too_large_documents_are_skipped() {
    let sample = common::sample("news.jsonl");
    let (json, stderr, code) = dups_json(&[sample.to_str().unwrap(), "--max-doc-bytes", "3000"]);
    assert_eq!(code, 0);
    // Two lines of the sample are longer than 3,000 bytes (4,185 and 3,597).
    assert_eq!(json["stats"]["skipped_by_reason"]["too-large"], 2);
    assert_eq!(json["stats"]["documents"], 7);
    assert!(stderr.contains("over --max-doc-bytes 3000"), "{stderr}");
    assert_eq!(
        json["stats"]["records_read"].as_u64().unwrap(),
        json["stats"]["documents"].as_u64().unwrap() + json["stats"]["skipped"].as_u64().unwrap()
    );
}

#[test]
fn unreadable_inputs_and_bad_options_fail_clearly() {
    let out = wiretrace()
        .args(["dups", "/no/such/corpus.jsonl"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot read input '/no/such/corpus.jsonl'"),
        "{stderr}"
    );

    let sample = common::sample("news.jsonl");
    let sample = sample.to_str().unwrap();
    for (args, needle) in [
        (
            vec!["--threshold", "1.5"],
            "threshold 1.5 must be in (0, 1]",
        ),
        (vec!["--threshold", "0"], "threshold 0 must be in (0, 1]"),
        (
            vec!["--bands", "64", "--rows", "4"],
            "exceeds the 128 signature values",
        ),
        (vec!["--bands", "4"], "--rows"),
        (vec!["--shingle", "bytes:4"], "unknown shingle kind"),
        (vec!["--num-perm", "0"], "num-perm 0"),
    ] {
        let out = wiretrace()
            .arg("dups")
            .arg(sample)
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
}

#[test]
fn stdin_as_jsonl_or_text() {
    let input = fs::read_to_string(common::sample("news.jsonl")).unwrap();
    let out = wiretrace()
        .args(["dups", "-", "--format", "json"])
        .write_stdin(input)
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["stats"]["pairs"], 2);

    // Text mode: stdin is one document, compared with the files named beside it.
    let out = wiretrace()
        .args(["dups", "--input-format", "text", "--format", "json", "-"])
        .arg(common::sample("seeds/003_d9ba3fde3b5fddd2.txt"))
        .write_stdin(seed_text("003"))
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["pairs"][0]["a"], "-");
    assert_eq!(json["pairs"][0]["jaccard"], 1.0);
}

#[test]
fn field_names_can_be_mapped() {
    let input = concat!(
        r#"{"doc_id": "a", "body": "Shares of the mining group rose sharply on Monday after the quarterly report beat forecasts", "published": "2020-01-02"}"#,
        "\n",
        r#"{"doc_id": "b", "body": "Shares of the mining group rose sharply on Monday after the quarterly report beat forecasts.", "published": "2020-01-01"}"#,
        "\n"
    );
    let out = wiretrace()
        .args(["dups", "-", "--format", "json", "--id-field", "doc_id"])
        .args(["--text-field", "body", "--date-field", "published"])
        .write_stdin(input)
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json["families"][0]["representative"], "b",
        "earliest date is kept"
    );
}

#[test]
fn same_seed_same_output_whatever_the_threads() {
    let Some(reuters) = common::shared_corpus("reuters21578.jsonl") else {
        return;
    };
    let run = |threads: &str, seed: &str| {
        wiretrace()
            .args([
                "dups",
                "--format",
                "json",
                "-q",
                "--threads",
                threads,
                "--seed",
                seed,
            ])
            .arg(&reuters)
            .output()
            .unwrap()
            .stdout
    };
    let one = run("1", "7");
    assert!(one.len() > 10_000);
    assert_eq!(one, run("2", "7"));
    assert_eq!(one, run("3", "7"));
    let other_seed: Value = serde_json::from_slice(&run("2", "8")).unwrap();
    let first: Value = serde_json::from_slice(&one).unwrap();
    assert_eq!(other_seed["params"]["seed"], 8);
    assert_ne!(
        first["pairs"], other_seed["pairs"],
        "estimates depend on the seed"
    );
}

/// `--format jsonl` streams its pair lines from the run's pair sink: the same records as
/// `--format json`, a reader that leaves early ends the run quietly, and a write that
/// fails is an error naming the output.
#[test]
fn jsonl_streams_the_same_records_and_stops_for_a_reader_that_leaves() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("synth.jsonl");
    let corpus = corpus.to_str().unwrap();
    common::run(&["synth", "--docs", "3000", "--seed", "4", "-o", corpus, "-q"]);
    let json = common::run_json(&["dups", corpus]);
    let lines = common::jsonl_values(common::run(&["dups", corpus, "--format", "jsonl", "-q"]));
    let of = |kind: &str| -> Vec<Value> {
        lines
            .iter()
            .filter(|l| l["type"] == kind)
            .map(|l| {
                let mut l = l.clone();
                l.as_object_mut().unwrap().remove("type");
                l
            })
            .collect()
    };
    let pairs = of("pair");
    assert!(pairs.len() > 50, "{} pairs", pairs.len());
    assert_eq!(Value::Array(pairs), json["pairs"]);
    assert_eq!(Value::Array(of("family")), json["families"]);
    assert_eq!(of("params")[0], json["params"]);
    assert_eq!(of("stats")[0], json["stats"]);

    let mut child = Command::new(env!("CARGO_BIN_EXE_wiretrace"))
        .args(["dups", corpus, "--format", "jsonl"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    reader.read_line(&mut first).unwrap();
    assert!(first.starts_with(r#"{"type":"params""#), "{first}");
    drop(reader);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("error"), "{stderr}");

    if std::path::Path::new("/dev/full").exists() {
        let out = wiretrace()
            .args(["dups", corpus, "--format", "jsonl", "-q", "-o", "/dev/full"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("cannot write '/dev/full'"), "{stderr}");
    }
}
