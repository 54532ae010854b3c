//! Rewritten copy end to end: `lineage` and `passages` find a story reworded by a
//! newspaper (English and Chinese), say how (`"method": "paraphrase"`, kind `rewritten`),
//! leave an independent write-up of the same event alone, keep to the date window, and
//! `--paraphrase off` turns the path off.

use std::path::Path;

use serde_json::{Value, json};

mod common;
use common::{run, run_json, wiretrace};

const AGENCY: &str = "The national port authority said on Monday that container traffic at \
    Karachi harbour rose 14 percent in February, helped by a surge in textile exports to \
    Europe. Officials said the harbour handled 212,000 containers during the month, a record \
    for the winter season. The authority plans to open a third terminal next year to ease \
    congestion on the eastern wharf. Shipping lines had warned that vessels were waiting up \
    to four days for a berth. A spokesman said dredging of the approach channel would begin \
    in April and take eight months. The project is financed by a loan from the Asian \
    Development Bank. Traders welcomed the figures but said customs clearance remained slow.";

const REWRITE: &str = "Karachi harbour handled a record 212,000 containers in February, the \
    port authority announced, as textile shipments to Europe surged. Container traffic was up \
    14 percent, officials said. Ships have been forced to wait as long as four days for a \
    berth, according to shipping lines. To ease congestion on the eastern wharf, a third \
    terminal will open next year. Dredging the approach channel starts in April and will last \
    eight months, with financing from an Asian Development Bank loan. Customs clearance, \
    traders complained, is still slow.";

/// Another rewrite, three weeks later.
const LATE_REWRITE: &str = "In February container volumes at Karachi harbour climbed 14 \
    percent to a winter record of 212,000 boxes, the port authority said, on the back of \
    booming textile sales to Europe. A third terminal is planned for next year because of \
    congestion at the eastern wharf, where vessels have queued for up to four days. Work on \
    dredging the approach channel will start in April and take eight months, financed by the \
    Asian Development Bank. Traders said customs clearance is still too slow.";

const INDEPENDENT: &str = "Textile exporters in Karachi say European orders have doubled \
    since January. The chairman of the exporters' association told reporters that mills were \
    running three shifts. He blamed power cuts for delays and urged the government to cut \
    electricity tariffs for industry. Exports to Europe rose in February, the association \
    said, and container traffic at the harbour reached a record. Several mills are hiring \
    workers for the first time in two years.";

const XINHUA: &str = "国家发展和改革委员会6日召开座谈会，听取稀土行业专家和企业代表对产业发展的意见和建议。\
    会议指出，稀土是重要的战略资源，要加强开采总量控制，严厉打击非法开采和走私。\
    会议要求各地加快推进稀土企业兼并重组，提高资源综合利用水平。\
    与会专家建议加大科技投入，发展高端稀土功能材料。";

const XINHUA_REWRITE: &str = "周一，发改委邀请稀土专家及企业负责人座谈，征求他们对行业前景的看法。\
    专家们呼吁增加研发投入，重点发展高端功能材料。\
    会上强调，稀土作为战略资源，开采总量须严格控制，非法开采与走私要严打。\
    各地被要求加速推动稀土企业兼并，以提升资源的综合利用率。";

const FILLER: [&str; 8] = [
    "The city council approved a new budget for schools and roads on Tuesday.",
    "Rain is expected across the north of the country for the rest of the week.",
    "The national cricket team won the final match of the series by six wickets.",
    "Oil prices fell on Wednesday as stocks in the United States rose again.",
    "今天北京天气晴朗，最高气温二十五度，适合户外活动。",
    "足球联赛第十轮比赛昨晚结束，主队以二比一获胜。",
    "本市新建的图书馆下月正式对市民开放，藏书五十万册。",
    "央行宣布维持基准利率不变，市场反应平稳。",
];

/// The corpus: agency story, its rewrite the next day, an independent story on the same
/// event, another rewrite three weeks later, a Chinese story and its rewrite, and
/// unrelated filler.
fn write_corpus(dir: &Path) -> String {
    write_corpus_as(dir, "Daily Star")
}

/// The same, with the rewrite published by `outlet`.
fn write_corpus_as(dir: &Path, outlet: &str) -> String {
    let mut docs = vec![
        json!({"id": "agency", "source": "Port Wire", "date": "2024-03-04T09:00:00Z", "text": AGENCY}),
        json!({"id": "paper", "source": outlet, "date": "2024-03-05T06:00:00Z", "text": REWRITE}),
        json!({"id": "exporters", "source": "City Times", "date": "2024-03-05T07:00:00Z", "text": INDEPENDENT}),
        json!({"id": "late", "source": "Weekly Review", "date": "2024-03-26T06:00:00Z", "text": LATE_REWRITE}),
        json!({"id": "xinhua", "source": "Xinhua", "date": "2024-05-06T08:00:00Z", "text": XINHUA}),
        json!({"id": "evening", "source": "Evening Post", "date": "2024-05-07T06:00:00Z", "text": XINHUA_REWRITE}),
    ];
    for (i, text) in FILLER.iter().enumerate() {
        docs.push(json!({"id": format!("filler-{i}"), "source": "Local", "text": text}));
    }
    let path = dir.join("rewrites.jsonl");
    let lines: Vec<String> = docs.iter().map(Value::to_string).collect();
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path.to_str().unwrap().to_string()
}

fn edge_list(json: &Value) -> Vec<(String, String, String, String, bool)> {
    let mut out: Vec<_> = json["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["parent"].as_str().unwrap().to_string(),
                e["child"].as_str().unwrap().to_string(),
                e["kind"].as_str().unwrap().to_string(),
                e["method"].as_str().unwrap().to_string(),
                e["directed"].as_bool().unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

fn edge(parent: &str, child: &str) -> (String, String, String, String, bool) {
    (
        parent.into(),
        child.into(),
        "rewritten".into(),
        "paraphrase".into(),
        true,
    )
}

#[test]
fn rewritten_stories_are_lineage_edges_and_independent_ones_are_not() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = write_corpus(dir.path());
    let lineage = run_json(&["lineage", &corpus]);
    // The next day's rewrites, in English and Chinese, point at their sources (the dates
    // decide); the independent story and the rewrite three weeks later are not linked.
    assert_eq!(
        edge_list(&lineage),
        [edge("agency", "paper"), edge("xinhua", "evening")]
    );
    let stats = &lineage["stats"];
    assert_eq!(stats["rewritten_pairs"], 2);
    assert!(stats["paraphrase_candidates"].as_u64().unwrap() >= 2);
    for e in lineage["edges"].as_array().unwrap() {
        let spans = e["spans"].as_array().unwrap();
        assert!(!spans.is_empty());
        for s in spans {
            let sim = s["similarity"].as_f64().unwrap();
            assert!((0.4..=1.0).contains(&sim), "{s}");
        }
    }
    // The English passage covers most of the rewrite (its first word to its last).
    let paper = lineage["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["child"] == "paper")
        .unwrap();
    let span = &paper["spans"][0];
    let chars = REWRITE.chars().count() as u64;
    assert_eq!(span["b_start"], 0);
    assert!(span["b_end"].as_u64().unwrap() * 10 >= chars * 9, "{span}");

    // Any distance in time: the late copy is a rewrite too.
    let any_time = run_json(&["lineage", &corpus, "--paraphrase-window", "0"]);
    let edges = edge_list(&any_time);
    assert!(
        edges
            .iter()
            .any(|e| e.1 == "late" && e.2 == "rewritten" && e.3 == "paraphrase"),
        "{edges:?}"
    );
    assert!(
        edges
            .iter()
            .all(|e| e.0 != "exporters" && e.1 != "exporters")
    );

    // One outlet's second story on an event is its follow-up, not a rewrite of its own
    // copy: the same pair published by one outlet is no candidate.
    let own = tempfile::tempdir().unwrap();
    let same_outlet = write_corpus_as(own.path(), "PORT WIRE");
    assert_eq!(
        edge_list(&run_json(&["lineage", &same_outlet])),
        [edge("xinhua", "evening")]
    );

    // Off: no edge at all (nothing here shares a verbatim passage).
    let off = run_json(&["lineage", &corpus, "--paraphrase", "off"]);
    assert!(edge_list(&off).is_empty());
    assert_eq!(off["stats"]["rewritten_pairs"], 0);
}

#[test]
fn passages_say_how_they_were_found() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = write_corpus(dir.path());
    let passages = run_json(&["passages", &corpus]);
    let pairs = passages["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 2, "{pairs:?}");
    for p in pairs {
        assert_eq!(p["method"], "paraphrase");
        for q in p["passages"].as_array().unwrap() {
            assert_eq!(q["kind"], "reuse");
            assert_eq!(q["method"], "paraphrase");
            assert!(q["a_words"].as_u64().unwrap() >= 20);
        }
    }
    // The table says so too.
    let table = wiretrace()
        .args(["passages", &corpus, "-q"])
        .output()
        .unwrap();
    let text = String::from_utf8(table.stdout).unwrap();
    assert_eq!(text.matches("; rewritten)").count(), 2, "{text}");
    // DOT draws rewritten edges dotted.
    let dot = wiretrace()
        .args(["lineage", &corpus, "-q", "--format", "dot"])
        .output()
        .unwrap();
    let dot = String::from_utf8(dot.stdout).unwrap();
    assert_eq!(dot.matches("style=dotted").count(), 2, "{dot}");
}

/// `lineage` of a `synth --syndication --rewritten 50` corpus scored by `eval --complete`.
fn synth_rewrites(dir: &Path, seed: &str, extra: &[&str]) -> Value {
    let corpus = dir.join(format!("r{seed}.jsonl"));
    let truth = dir.join(format!("r{seed}.truth.json"));
    let out = dir.join(format!("r{seed}-{}.json", extra.len()));
    let (c, t, o) = (
        corpus.to_str().unwrap(),
        truth.to_str().unwrap(),
        out.to_str().unwrap(),
    );
    run(&[
        "synth",
        "--syndication",
        "--seed",
        seed,
        "--rewritten",
        "50",
        "-o",
        c,
        "--truth",
        t,
    ]);
    run(&[&["lineage", c, "-q", "-o", o][..], extra].concat());
    common::eval_complete(o, t, c)
}

#[test]
fn synthetic_rewrites_are_traced_to_their_wire_story() {
    let dir = tempfile::tempdir().unwrap();
    for seed in ["1", "2"] {
        // Half the stories rewritten by one more outlet (measured: rewritten recall 0.94
        // and 0.97, overall directed F1 0.991 and 0.991; 0.930 and 0.931 without the path).
        let e = synth_rewrites(dir.path(), seed, &[]);
        let rewritten = &e["by_label"]["rewritten"];
        let truth = rewritten["truth_edges"].as_u64().unwrap();
        let recall = rewritten["directed"]["recall"].as_f64().unwrap();
        let f1 = e["overall"]["directed"]["f1"].as_f64().unwrap();
        eprintln!("seed {seed}: {truth} rewrites, directed recall {recall}, overall F1 {f1}");
        assert!(truth >= 25, "{truth}");
        assert!(recall >= 0.9, "seed {seed}: {recall}");
        assert!(f1 >= 0.97, "seed {seed}: {f1}");
        assert_eq!(e["overall"]["direction_accuracy"], 1.0);

        // Without the paraphrase path no rewrite is found: the copies share no passage.
        let off = synth_rewrites(dir.path(), seed, &["--paraphrase", "off"]);
        assert_eq!(
            off["by_label"]["rewritten"]["directed"]["true_positives"],
            0
        );
    }
}

#[test]
fn rewrites_do_not_depend_on_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("r.jsonl");
    let c = corpus.to_str().unwrap();
    run(&[
        "synth",
        "--syndication",
        "--seed",
        "3",
        "--rewritten",
        "50",
        "-o",
        c,
    ]);
    let one = run(&["lineage", c, "-q", "--format", "json", "--threads", "1"]);
    let two = run(&["lineage", c, "-q", "--format", "json", "--threads", "2"]);
    let four = run(&["lineage", c, "-q", "--format", "json", "--threads", "4"]);
    assert_eq!(one, two);
    assert_eq!(one, four);
    let json: Value = serde_json::from_slice(&one).unwrap();
    assert!(json["stats"]["rewritten_pairs"].as_u64().unwrap() >= 20);
}
