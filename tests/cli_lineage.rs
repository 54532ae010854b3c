//! `wiretrace passages` and `wiretrace lineage` end to end: known answers on the bundled
//! corpora, Graphviz parsing the DOT, the JSON shape the README documents, and GraphML.

use std::process::Command as Process;

use serde_json::Value;

mod common;

use common::{run_json, wiretrace};

fn edges(json: &Value) -> Vec<(String, String, String)> {
    json["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["parent"].as_str().unwrap().to_string(),
                e["child"].as_str().unwrap().to_string(),
                e["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn seeds_newsletter_footer_is_boilerplate_not_lineage() {
    let seeds = common::sample("seeds");
    let seeds = seeds.to_str().unwrap();
    let passages = run_json(&["passages", seeds]);
    let templates = passages["boilerplate"].as_array().unwrap();
    let footer = templates
        .iter()
        .find(|t| {
            t["text"]
                .as_str()
                .unwrap()
                .starts_with("Sign Up for Our Newsletters")
        })
        .expect("the aggregator's footer is found");
    assert_eq!(footer["documents"], 2);
    assert!(
        footer["text"]
            .as_str()
            .unwrap()
            .ends_with("You May Also Like")
    );
    let examples: Vec<&str> = footer["examples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert_eq!(
        examples,
        ["002_c5975e9b6fef161d.txt", "004_a8f9cbc12226598c.txt"]
    );
    assert_eq!(passages["pairs"].as_array().unwrap().len(), 0, "{passages}");

    let lineage = run_json(&["lineage", seeds]);
    assert!(edges(&lineage).is_empty());
    assert_eq!(lineage["boilerplate"][0]["documents"], 2);
}

#[test]
fn sample_lineage_has_the_known_edges() {
    let sample = common::sample("news.jsonl");
    let json = run_json(&["lineage", sample.to_str().unwrap()]);
    let s = |x: &str| x.to_string();
    assert_eq!(
        edges(&json),
        [
            (
                s("seed-000_91352930656565cb"),
                s("mirror-policies-push-forward"),
                s("truncated")
            ),
            (
                s("seed-000_91352930656565cb"),
                s("digest-commodities-weekly"),
                s("excerpt")
            ),
            (
                s("seed-003_d9ba3fde3b5fddd2"),
                s("portal-0606-rare-earth-advice"),
                s("near-duplicate")
            ),
            (
                s("portal-0606-rare-earth-advice"),
                s("blog-0608-ndrc-advice"),
                s("near-duplicate")
            ),
        ]
    );
    let e = &json["edges"][2];
    assert_eq!(e["time_lag_seconds"], 88_200); // 2019-06-05T00:00Z → 2019-06-06T00:30Z
    assert!(e["reason"].as_str().unwrap().starts_with("earlier date"));
    assert!(
        json["edges"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("credits 'china daily'")
    );
    let families = json["families"].as_array().unwrap();
    assert_eq!(families.len(), 2);
    assert_eq!(families[0]["roots"][0], "seed-000_91352930656565cb");
    assert_eq!(families[1]["roots"][0], "seed-003_d9ba3fde3b5fddd2");
    validate_lineage_schema(&json);
}

/// Checks every field the README documents for `lineage --format json`, with its type.
fn validate_lineage_schema(json: &Value) {
    let keys = |v: &Value| -> Vec<String> { v.as_object().unwrap().keys().cloned().collect() };
    assert_eq!(
        keys(json),
        [
            "tool",
            "version",
            "command",
            "params",
            "stats",
            "nodes",
            "edges",
            "families",
            "boilerplate"
        ]
    );
    assert_eq!(json["command"], "lineage");
    for k in [
        "k",
        "window",
        "max_df",
        "min_words",
        "max_gap",
        "boilerplate_min_docs",
    ] {
        assert!(json["params"][k].is_u64(), "params.{k}");
    }
    assert!(json["params"]["dups"]["threshold"].is_f64());
    for k in [
        "records_read",
        "documents",
        "skipped",
        "candidates",
        "capped_fingerprints",
        "pairs_with_passages",
        "passages",
        "boilerplate_templates",
        "lineage_nodes",
        "lineage_edges",
        "families",
    ] {
        assert!(json["stats"][k].is_u64(), "stats.{k}");
    }
    let nodes = json["nodes"].as_array().unwrap();
    assert_eq!(
        nodes.len() as u64,
        json["stats"]["lineage_nodes"].as_u64().unwrap()
    );
    for n in nodes {
        assert_eq!(keys(n), ["id", "source", "date", "title", "url", "family"]);
        assert!(n["id"].is_string() && n["family"].is_u64());
        for k in ["source", "date", "title", "url"] {
            assert!(n[k].is_string() || n[k].is_null(), "node.{k}");
        }
    }
    for e in json["edges"].as_array().unwrap() {
        assert_eq!(
            keys(e),
            [
                "parent",
                "child",
                "kind",
                "similarity",
                "containment",
                "parent_coverage",
                "time_lag_seconds",
                "reason",
                "directed",
                "direction",
                "method",
                "spans"
            ]
        );
        assert!(
            [
                "verbatim",
                "near-duplicate",
                "truncated",
                "extended",
                "excerpt"
            ]
            .contains(&e["kind"].as_str().unwrap())
        );
        for k in ["similarity", "containment", "parent_coverage"] {
            let x = e[k].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&x), "edge.{k} = {x}");
        }
        assert!(e["time_lag_seconds"].is_i64() || e["time_lag_seconds"].is_null());
        assert!(
            ["lsh+alignment", "fingerprints+alignment"].contains(&e["method"].as_str().unwrap())
        );
        for s in e["spans"].as_array().unwrap() {
            assert_eq!(keys(s), common::SPAN_KEYS);
            assert!(s["a_start"].as_u64() < s["a_end"].as_u64());
            assert!(s["b_start"].as_u64() < s["b_end"].as_u64());
        }
    }
    for f in json["families"].as_array().unwrap() {
        assert_eq!(keys(f), ["family", "size", "roots", "members"]);
    }
    for b in json["boilerplate"].as_array().unwrap() {
        assert_eq!(keys(b), ["text", "documents", "examples", "rule"]);
    }
}

#[test]
fn passages_report_offsets_into_both_texts() {
    let sample = common::sample("news.jsonl");
    let json = run_json(&["passages", sample.to_str().unwrap()]);
    let texts: std::collections::HashMap<String, String> = std::fs::read_to_string(&sample)
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["id"].as_str().unwrap().to_string(),
                v["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let slice = |id: &str, start: u64, end: u64| -> String {
        texts[id]
            .chars()
            .skip(start as usize)
            .take((end - start) as usize)
            .collect()
    };
    let pair = json["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["b"] == "digest-commodities-weekly" && p["a"] == "seed-000_91352930656565cb")
        .unwrap();
    let p = &pair["passages"][0];
    let in_digest = slice(
        "digest-commodities-weekly",
        p["b_start"].as_u64().unwrap(),
        p["b_end"].as_u64().unwrap(),
    );
    let in_source = slice(
        "seed-000_91352930656565cb",
        p["a_start"].as_u64().unwrap(),
        p["a_end"].as_u64().unwrap(),
    );
    // The two quoted paragraphs, word for word, from their first to their last word.
    assert!(
        in_digest.starts_with("It was noted at the meeting that proactive efforts"),
        "{in_digest}"
    );
    assert!(
        in_digest.ends_with("intelligent and green development of the rare earth industry"),
        "{in_digest}"
    );
    assert_eq!(in_digest, in_source);
    assert_eq!(p["a_words"], 84);
    assert_eq!(p["similarity"], 1.0);
    assert!(in_digest.starts_with(p["b_text"].as_str().unwrap().trim_end_matches('…')));

    let out = wiretrace()
        .args(["passages", sample.to_str().unwrap(), "-q"])
        .output()
        .unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.contains("seed-000_91352930656565cb  ~  digest-commodities-weekly"),
        "{table}"
    );
    assert!(table.contains("Boilerplate (not used as evidence):"));
}

/// A corpus whose ids, sources and titles need escaping in every format.
fn awkward_corpus() -> String {
    let story = "The central bank said on Tuesday that it would keep interest rates unchanged for \
        another quarter, citing slowing growth in exports and weak demand at home, while \
        analysts expect cuts before the end of the year as inflation stays low.";
    [
        serde_json::json!({"id": "a \"quoted\" <id> & more", "source": "R&D \\ \"Wire\"", "date": "2020-01-01",
                           "title": "Line one\nline two <b>", "text": story}),
        serde_json::json!({"id": "b\\back{slash}", "source": "Outlet <B>", "date": "2020-01-02",
                           "text": format!("{story} Source: R&D")}),
    ]
    .iter()
    .map(|v| v.to_string() + "\n")
    .collect()
}

#[test]
fn dot_output_is_accepted_by_graphviz() {
    let Some(dot) = common::program(&["dot"], "graphviz") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "sample.dot",
            common::sample("news.jsonl").to_str().unwrap().to_string(),
            None,
        ),
        ("awkward.dot", "-".to_string(), Some(awkward_corpus())),
    ];
    for (name, input, stdin) in cases {
        let path = dir.path().join(name);
        let mut cmd = wiretrace();
        cmd.args(["lineage", &input, "--format", "dot", "-q", "-o"])
            .arg(&path);
        if let Some(s) = stdin {
            cmd.write_stdin(s);
        }
        cmd.assert().success();
        let svg = Process::new(dot).arg("-Tsvg").arg(&path).output().unwrap();
        assert!(
            svg.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&svg.stderr)
        );
        let svg = String::from_utf8(svg.stdout).unwrap();
        assert!(svg.contains("<svg"));
        if name == "sample.dot" {
            assert!(
                svg.contains("portal&#45;0606&#45;rare&#45;earth&#45;advice")
                    || svg.contains("portal-0606-rare-earth-advice")
            );
            assert!(svg.contains("family 1 (3 documents)"));
            assert_eq!(svg.matches("class=\"edge\"").count(), 4);
        } else {
            assert_eq!(svg.matches("class=\"edge\"").count(), 1);
            assert!(svg.contains("&quot;quoted&quot;"), "{svg}");
        }
    }
}

#[test]
fn graphml_output_is_well_formed_with_all_nodes_and_edges() {
    for (input, stdin, nodes, edges) in [
        (
            common::sample("news.jsonl").to_str().unwrap().to_string(),
            None,
            6,
            4,
        ),
        ("-".to_string(), Some(awkward_corpus()), 2, 1),
    ] {
        let mut cmd = wiretrace();
        cmd.args(["lineage", &input, "--format", "graphml", "-q"]);
        if let Some(s) = stdin {
            cmd.write_stdin(s);
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success());
        let mut reader = quick_xml::Reader::from_reader(out.stdout.as_slice());
        let (mut n, mut e, mut keys) = (0, 0, 0);
        let mut buf = Vec::new();
        loop {
            match reader.read_event_into(&mut buf).expect("well-formed XML") {
                quick_xml::events::Event::Start(t) | quick_xml::events::Event::Empty(t) => {
                    match t.name().as_ref() {
                        "node" => n += 1,
                        "edge" => e += 1,
                        "key" => keys += 1,
                        _ => {}
                    }
                }
                quick_xml::events::Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
        assert_eq!((n, e), (nodes, edges));
        assert_eq!(keys, 17);
        if input == "-" {
            let xml = String::from_utf8_lossy(&out.stdout);
            assert!(
                xml.contains("a &quot;quoted&quot; &lt;id&gt; &amp; more"),
                "{xml}"
            );
        }
    }
}

/// Two undated articles from different outlets, each with its own text around one shared
/// passage, neither crediting the other: nothing tells which copied which.
fn undecidable_pair() -> String {
    let shared = "The central bank said on Tuesday that it would keep interest rates unchanged \
        for another quarter, citing slowing growth in exports and weak demand at home, while \
        analysts expect cuts before the end of the year as inflation stays low.";
    let a = format!(
        "Markets in Asia opened higher on Wednesday as traders weighed the latest data from \
         factories across the region and the outlook for shipping. {shared} Copper and \
         aluminium prices were little changed in early trade in Shanghai and London."
    );
    let b = format!(
        "Economists at several banks revised their forecasts for the second half after a \
         week of mixed signals from the property sector and consumer spending. {shared} \
         The currency weakened slightly against the dollar in thin holiday trading."
    );
    [
        serde_json::json!({"id": "outlet-a", "source": "Outlet A", "text": a}),
        serde_json::json!({"id": "outlet-b", "source": "Outlet B", "text": b}),
    ]
    .iter()
    .map(|v| v.to_string() + "\n")
    .collect()
}

#[test]
fn an_undecidable_direction_is_reported_as_undetermined_in_every_format() {
    let json: Value = {
        let out = wiretrace()
            .args(["lineage", "-", "-q"])
            .write_stdin(undecidable_pair())
            .output()
            .unwrap();
        assert!(out.status.success());
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let edges = json["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 1);
    assert_eq!(edges[0]["directed"], false);
    assert_eq!(edges[0]["direction"], "undetermined");
    assert!(
        edges[0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("undetermined"),
        "{}",
        edges[0]["reason"]
    );
    assert_eq!(json["families"].as_array().unwrap().len(), 1);

    let text = |format: &str| {
        let out = wiretrace()
            .args(["lineage", "-", "-q", "--format", format])
            .write_stdin(undecidable_pair())
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(text("dot").contains("dir=none"));
    let graphml = text("graphml");
    assert!(graphml.contains(r#"directed="false""#), "{graphml}");
    assert!(graphml.contains(r#"<data key="directed">false</data>"#));

    // No outlet is counted as copied or copying on an undetermined edge.
    let out = wiretrace()
        .args(["audit", "-", "-q", "--format", "json"])
        .write_stdin(undecidable_pair())
        .output()
        .unwrap();
    let audit: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(audit["audit"]["lineage_edges"], 1);
    assert_eq!(
        audit["audit"]["top_syndicating_sources"],
        serde_json::json!([])
    );
    assert_eq!(audit["audit"]["top_copying_outlets"], serde_json::json!([]));

    // eval counts it as found, left undetermined.
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("l.json");
    std::fs::write(&output, json.to_string()).unwrap();
    let truth = dir.path().join("t.json");
    std::fs::write(
        &truth,
        r#"{"edges": [{"parent": "outlet-b", "child": "outlet-a"}]}"#,
    )
    .unwrap();
    let out = wiretrace()
        .args([
            "eval",
            output.to_str().unwrap(),
            "--truth",
            truth.to_str().unwrap(),
        ])
        .args(["--format", "json"])
        .output()
        .unwrap();
    let e: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(e["evaluation"]["overall"]["undirected"]["recall"], 1.0);
    assert_eq!(e["evaluation"]["overall"]["undetermined_share"], 1.0);
    assert!(e["evaluation"]["overall"]["direction_accuracy"].is_null());
}

#[test]
fn passage_parameters_out_of_range_name_the_option() {
    let sample = common::sample("news.jsonl");
    for (options, named) in [
        (&["--min-words", "0"][..], &["--min-words "][..]),
        (&["--max-df", "1"], &["--max-df "]),
        // Summaries are found by the paraphrase path: asking for them without it.
        (
            &["--paraphrase", "off", "--summaries", "on"],
            &["--summaries", "--paraphrase on"],
        ),
    ] {
        let out = wiretrace()
            .args(["lineage", sample.to_str().unwrap()])
            .args(options)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(named.iter().all(|n| stderr.contains(n)), "{stderr}");
        assert!(
            !stderr.contains("min_words") && !stderr.contains("max_df"),
            "{stderr}"
        );
    }
}

/// `passages --format jsonl` holds the JSON output line by line: its `params`, a `pair`
/// line per pair (the pairs of the JSON output, all of them), then its `boilerplate`,
/// `frame` and `skipped` records and the closing `stats`.
#[test]
fn passages_jsonl_holds_the_json_output_line_by_line() {
    // The news sample shares passages; the seeds share a newsletter footer (boilerplate).
    let (mut pair_lines, mut boilerplate_lines) = (0, 0);
    for input in [common::sample("news.jsonl"), common::sample("seeds")] {
        let input = input.to_str().unwrap();
        let json = run_json(&["passages", input]);
        let out = common::run(&["passages", input, "--format", "jsonl", "-q"]);
        let lines = common::jsonl_values(out);
        let of_type = |kind: &str| -> Vec<Value> {
            lines
                .iter()
                .filter(|l| l["type"] == kind)
                .map(|l| {
                    let mut l = l.clone();
                    l.as_object_mut().unwrap().shift_remove("type");
                    l
                })
                .collect()
        };
        assert_eq!(lines[0]["type"], "params", "{input}");
        assert_eq!(lines.last().unwrap()["type"], "stats", "{input}");
        assert_eq!(of_type("params"), [json["params"].clone()], "{input}");
        assert_eq!(of_type("stats"), [json["stats"].clone()], "{input}");
        let key = |p: &Value| (p["a"].to_string(), p["b"].to_string());
        let mut pairs = of_type("pair");
        pairs.sort_by_key(key);
        let mut expected = json["pairs"].as_array().unwrap().clone();
        expected.sort_by_key(key);
        assert_eq!(pairs, expected, "{input}");
        pair_lines += pairs.len();
        boilerplate_lines += of_type("boilerplate").len();
        for (kind, list) in [
            ("boilerplate", "boilerplate"),
            ("frame", "frames"),
            ("skipped", "skipped"),
        ] {
            assert_eq!(&of_type(kind), json[list].as_array().unwrap(), "{input}");
        }
        // Every line has one of the documented types.
        assert!(lines.iter().all(|l| {
            ["params", "pair", "boilerplate", "frame", "skipped", "stats"]
                .contains(&l["type"].as_str().unwrap())
        }));
    }
    assert!(pair_lines >= 3 && boilerplate_lines >= 1);
}
