//! Formulas are not reuse: Reuters-21578 excerpts (quoted here, a few sentences each)
//! where two different events are written in the same wire formula, a stock-sentence
//! pair the gap rule used to join, and real reuse that carries the same figures.

use assert_cmd::Command;
use serde_json::Value;
use wiretrace::Document;
use wiretrace::formula::TemplateReason;
use wiretrace::trace::{Trace, TraceConfig, find_passages};

mod common;

/// Reuters-21578 #1086 and #1163: two issuers' eurobonds, one formula.
const BOND_SCOTIA: &str = "Scotia Mortgage Corp is issuing a 100 mln
Canadian dlr eurobond due April 9, 1992 paying 8-3/4 pct and
priced at 100-3/4 pct, lead manager Wood Gundy Ltd said.
    The non-callable bond is available in denominations of
1,000 and 10,000 Canadian dlrs and will be listed in
Luxembourg. It is guaranteed by the Bank of Nova Scotia. The
selling concession is 1-1/4 pct, while management pays 1/4 pct
and underwriting pays 3/8 pct.
    The payment date is April 8 and there will be a long first
coupon period.";
const BOND_VICTORIA: &str = "Victorian Public Authorities Finance
Agency is issuing a 100 mln Canadian dlr bond due April 15,
1992 paying 8-1/2 pct and priced at 100-5/8 pct, lead manager
Wood Gundy Ltd said.
    The non-callable bond is available in denominations of
1,000 and 10,000 Canadaian dlrs and will be listed in
Luxembourg. It is guaranteed by the State of Victoria.
    The selling concession is 1-1/4 pct while management and
pays 1/4 pct and underwriting 3/8 pct. The payment date is
April 15.";

/// Reuters-21578 #9037 and #11673: two weeks of the same weekly report.
const POWER_MARCH_21: &str = "U.S. power companies generated a net
47.47 billion kilowatt-hours of electrical energy in the week
ended March 21, up 2.4 pct from 46.36 billion a year earlier,
the Edison Electric Institute (EEI) said.
    In its weekly report on electric output, the electric
utility trade association said electric output in the week
ended March 14 was 48.31 billion kilowatt-hours.
    The EEI said power production in the 52 weeks ended March
21 was 2,557.44 billion kilowatt hours, up 2.1 pct from the
year-ago period.";
const POWER_MARCH_28: &str = "U.S. power companies generated a net
45.56 billion kilowatt-hours of electrical energy in the week
ended March 28, up 3.2 pct from 44.17 billion a year earlier,
the Edison Electric Institute (EEI) said.
    In its weekly report on electric output, the electric
utility trade association said electric output in the week
ended March 21 was 47.47 billion kilowatt-hours.
    The EEI said power production in the 52 weeks ended March
28 was 2,558.83 billion kilowatt hours, up 2.2 pct from the
year-ago period.";

/// Reuters-21578 #13963, and a digest that lifts its first paragraph (as #14230 does).
const KUWAIT: &str = "Kuwait has asked at least four
countries, including the United States, Soviet Union, Britain
and China, for temporary use of their flags or tankers to
protect Kuwaiti oil shipments in the troubled Persian Gulf,
Reagan Administration officials said.
    The officials confirmed a New York Times report that Kuwait
wants to transfer some of its oil tankers to U.S. or Soviet
registration in hopes Iran would be reluctant to launch new
Silkworm missiles at superpower flags.";
const DIGEST: &str = "Malaysian and Indonesian palm oil production is
likely to drop sharply this year because of lower yields, the
Hamburg-based newsletter Oil World said.
    WASHINGTON - Kuwait has asked at least four countries, including
the U.S., Soviet Union, Britain and China, for temporary use of their
flags or tankers to protect Kuwaiti oil shipments in the troubled
Persian Gulf, Reagan Administration officials said.
    LONDON - Cargill U.K. Ltd said its oilseed processing plant
in Seaforth, northwest England, will resume operations tomorrow.";

/// Reuters-21578-style results re-sent with the same figures.
const RESULTS: &str = "Shr 89 cts vs 87 cts
    Net 119.5 mln vs 114.6 mln
    Revs 872.3 mln vs 917.4 mln
    Avg shrs 134.9 mln vs 131.7 mln
    12 mths
    Shr 2.87 dlrs vs 3.32 dlrs
    Net 383.4 mln vs 413.2 mln
    Revs 3.41 billion vs 3.52 billion";

fn run(docs: &[Document]) -> Trace {
    find_passages(docs, &TraceConfig::default()).unwrap()
}

fn pair<'a>(
    t: &'a Trace,
    docs: &[Document],
    a: &str,
    b: &str,
) -> &'a wiretrace::lineage::PairEvidence {
    let ia = docs.iter().position(|d| d.id == a).unwrap() as u32;
    let ib = docs.iter().position(|d| d.id == b).unwrap() as u32;
    let (ia, ib) = (ia.min(ib), ia.max(ib));
    t.pairs
        .iter()
        .find(|p| p.a == ia && p.b == ib)
        .unwrap_or_else(|| panic!("{a} ~ {b} share no passage"))
}

fn edge_between(docs: &[Document], t: &Trace, a: &str, b: &str) -> bool {
    let lineage = t.lineage(docs);
    lineage.edges().iter().any(|e| {
        let (p, c) = (&docs[e.parent as usize].id, &docs[e.child as usize].id);
        (p == a && c == b) || (p == b && c == a)
    })
}

fn corpus() -> Vec<Document> {
    vec![
        Document::new("bond-scotia", BOND_SCOTIA).with_date("1987-03-03T11:09:39Z"),
        Document::new("bond-victoria", BOND_VICTORIA).with_date("1987-03-03T12:21:14Z"),
        Document::new("power-0321", POWER_MARCH_21).with_date("1987-03-24T16:39:39Z"),
        Document::new("power-0328", POWER_MARCH_28).with_date("1987-03-31T16:18:17Z"),
        Document::new("kuwait", KUWAIT).with_date("1987-04-07T10:45:02Z"),
        Document::new("digest", DIGEST).with_date("1987-04-07T12:05:44Z"),
        Document::new("results", RESULTS).with_date("1987-03-10T09:00:00Z"),
        Document::new("results-resent", format!("CORRECTED - {RESULTS}"))
            .with_date("1987-03-10T11:00:00Z"),
    ]
}

#[test]
fn two_events_in_one_wire_formula_are_a_template_not_an_edge() {
    let docs = corpus();
    let t = run(&docs);
    for (a, b) in [
        ("bond-scotia", "bond-victoria"),
        ("power-0321", "power-0328"),
    ] {
        let p = pair(&t, &docs, a, b);
        assert!(p.spans.is_empty(), "{a} ~ {b}: {:?}", p.spans);
        assert!(!p.templates.is_empty());
        assert!(
            p.templates
                .iter()
                .all(|s| s.reason == TemplateReason::Frame)
        );
        assert!(!edge_between(&docs, &t, a, b), "{a} ~ {b} became an edge");
    }
    // One frame per formula, each used by two stories, with the figures cut out.
    assert_eq!(t.frames.frames.len(), 2);
    assert!(
        t.frames
            .frames
            .iter()
            .all(|f| f.stories == 2 && f.documents == 2)
    );
    let power = t
        .frames
        .frames
        .iter()
        .find(|f| f.text.contains("kilowatt"))
        .unwrap();
    assert!(power.text.contains(" … "), "{}", power.text);
    assert!(!power.text.contains("45.56"), "{}", power.text);
}

#[test]
fn reuse_with_the_same_figures_and_names_stays_reuse() {
    let docs = corpus();
    let t = run(&docs);
    // The digest lifts the Kuwait paragraph: same names, spelled "U.S." once.
    let p = pair(&t, &docs, "kuwait", "digest");
    assert_eq!(p.spans.len(), 1, "{:?}", p.templates);
    assert!(edge_between(&docs, &t, "kuwait", "digest"));
    // A re-sent results table carries the same figures.
    assert!(
        pair(&t, &docs, "results", "results-resent")
            .templates
            .is_empty()
    );
    assert!(edge_between(&docs, &t, "results", "results-resent"));
    // Story families: the two real copies, nothing chained by the formulas.
    let lineage = t.lineage(&docs);
    assert_eq!(lineage.families, 2);
    assert_eq!(lineage.graph.edge_count(), 2);
}

#[test]
fn the_gap_rule_does_not_join_stock_sentences() {
    let no_comment = "The ministry did not immediately respond to a request for comment.";
    let expected = "Analysts said the move was widely expected by markets.";
    let mut docs: Vec<Document> = (0..12)
        .map(|i| {
            let mut rng = common::Rng::new(100 + i);
            let (x, y) = (
                rng.words(30, 50_000).join(" "),
                rng.words(25, 50_000).join(" "),
            );
            Document::new(
                format!("story-{i}"),
                format!("{x}. {no_comment} {y}. {expected}"),
            )
        })
        .collect();
    docs.push(Document::new(
        "farm",
        format!(
            "Farm output rose in the north after the rain. {no_comment} Growers hope for \
             more this spring as prices climb again. {expected}"
        ),
    ));
    docs.push(Document::new(
        "port",
        format!(
            "The port handled more ships than a year before. {no_comment} Dock workers \
             plan a strike next week over pay. {expected}"
        ),
    ));
    let t = run(&docs);
    assert!(t.stock_phrases > 0);
    let p = pair(&t, &docs, "farm", "port");
    assert!(p.spans.is_empty(), "{:?}", p.spans);
    assert_eq!(p.templates.len(), 1);
    assert_eq!(p.templates[0].reason, TemplateReason::StockPhrases);
    assert_eq!(t.lineage(&docs).graph.edge_count(), 0);
    // With fewer stories carrying them the sentences are not stock: the pair is a passage.
    let few: Vec<Document> = docs[8..].to_vec();
    let t = run(&few);
    assert_eq!(pair(&t, &few, "farm", "port").spans.len(), 1);
}

/// Reuters-21578 #4856, #5820 and #5990: three issuers' eurobonds whose closing lines
/// agree on every figure and name — the denominations, Luxembourg, the usual fees.
const BOND_NSW: &str = "New South Wales Treasury Corp is issuing
15 billion yen of eurobonds due April 15, 1992, priced at
101-5/8, with a 4-7/8 pct coupon, Nikko Securities Co (Europe)
Ltd said as book-runner and joint lead manager with Mitsui
Trust and Banking Co Ltd.
    The issue will be guaranteed by New South Wales and will be
sold in denominations of one mln yen, with listing in
Luxembourg.
    Fees are 1-1/4 pct for selling and 5/8 pct for management
and underwriting combined. Payment date is April 15.
    Co-lead manager is Mitsubishi Finance International Ltd.";
const BOND_MERITOR: &str = "Meritor Savings Bank, a U.S. Savings and
loan, is issuing 200 mln dlrs of collateralised eurobonds due
April 14, 1992 priced at 101-3/8, with a 7-1/2 pct coupon, lead
manager Goldman Sachs International Corp said.
    The issue is non-callable and is collateralised by U.S.
Treasury and agency securities and cash and will be offered in
targetted registered form. The bonds will be sold in
denominations of 5,000 and 10,000 dlrs and listed in
Luxembourg.
    Fees are 1-1/4 pct for selling and 5/8 pct for management
and underwriting combined. Payment is April 14.";
const BOND_BERGEN: &str = "City of Bergen, Norway, is issuing an 80
mln Canadian dlr eurobond, due April 13, 1994, priced at
101-1/2 with an 8-5/8 pct coupon, lead manager Bank of Tokyo
International Ltd said.
    The issue will be sold in denominations of 5,000 dlrs and
listed in Luxembourg. Fees are 1-1/4 pct for selling and 5/8
pct for management and underwriting combined. Payment date is
April 13, 1987. There will be two co-lead managers.";

/// The three notices, twelve more made up in their formula (each its own issuer, lead
/// manager, payment day and a paragraph of its own; every fifth one the same amount, a
/// figure found in no other story), and a later story on Meritor that quotes its notice.
fn bond_notices() -> Vec<Document> {
    let issuers = [
        "Acme", "Borealis", "Cobalt", "Dunmore", "Elgin", "Fenwick", "Galloway", "Harlow",
        "Ingram", "Jarrow", "Kestrel", "Lomond",
    ];
    let managers = [
        "Nomura",
        "Paribas",
        "Daiwa",
        "Hambros",
        "Warburg",
        "Orion",
        "Yamaichi",
        "Kleinwort",
        "Salomon",
        "Chemical",
        "Schroders",
        "Barings",
    ];
    let mut docs = vec![
        Document::new("bond-nsw", BOND_NSW).with_date("1987-03-13T10:55:26Z"),
        Document::new("bond-meritor", BOND_MERITOR).with_date("1987-03-17T05:14:50Z"),
        Document::new("bond-bergen", BOND_BERGEN).with_date("1987-03-17T10:52:03Z"),
    ];
    for (i, (issuer, manager)) in issuers.iter().zip(managers).enumerate() {
        let own = common::Rng::new(300 + i as u64).words(60, 50_000).join(" ");
        let text = format!(
            "Treasurers of {issuer} Finance said {own}, with {manager} Capital Markets \
             arranging the sale of {} mln dlrs due April {}, 1992. The bonds will be sold in denominations of \
             5,000 and 10,000 dlrs and listed in Luxembourg. Fees are 1-1/4 pct for \
             selling and 5/8 pct for management and underwriting combined.",
            60 + 15 * (i % 5),
            2 + i,
        );
        // Wrapped at its own width, as wire copy is: no line recurs whole (boilerplate).
        let text = wrap(&text, 50 + 3 * i);
        docs.push(
            Document::new(format!("bond-{i}"), text)
                .with_date(&format!("1987-03-{:02}T09:00:00Z", 2 + i)),
        );
    }
    docs.push(
        Document::new(
            "meritor-shares",
            "Shares of Meritor Savings Bank rose 1/2 to 11-3/4 after the Philadelphia
thrift placed its first eurobond issue, dealers said. The thrift, which lost money in
its home mortgage business last year, has been selling branches in New Jersey and
Florida to raise capital, and analysts said the bond would let it refinance deposits
at lower cost. The bonds will be sold in
denominations of 5,000 and 10,000 dlrs and listed in Luxembourg.
    Fees are 1-1/4 pct for selling and 5/8 pct for management
and underwriting combined. Dealers said demand came mostly from Swiss banks and
insurance companies in Zurich and Geneva, and that the issue was trading near its
issue price in the grey market late in the day.",
        )
        .with_date("1987-03-18T15:00:00Z"),
    );
    docs
}

/// `text` with its lines broken before `width` characters.
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = 0;
    for word in text.split_whitespace() {
        if line > 0 && line + 1 + word.len() > width {
            out.push('\n');
            line = 0;
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += word.len();
    }
    out
}

#[test]
fn a_formula_agreeing_on_commonplace_specifics_links_no_unrelated_stories() {
    let docs = bond_notices();
    let t = run(&docs);
    // No pair of notices is linked, not even the pairs that share their amount: one
    // figure is no sign of one event.
    let notices: Vec<&str> = docs[..15].iter().map(|d| d.id.as_str()).collect();
    for (i, a) in notices.iter().enumerate() {
        for b in &notices[i + 1..] {
            assert!(!edge_between(&docs, &t, a, b), "{a} ~ {b} became an edge");
        }
    }
    // Meritor's closing lines are formula, their figures and names the usual ones: a
    // template, not a passage.
    let p = pair(&t, &docs, "bond-meritor", "bond-bergen");
    assert!(p.spans.is_empty(), "{:?}", p.spans);
    assert!(
        p.templates
            .iter()
            .any(|s| s.reason == TemplateReason::Frame)
    );
    // The story on Meritor quotes the same lines; it names Meritor, as the notice does.
    let p = pair(&t, &docs, "bond-meritor", "meritor-shares");
    assert_eq!(p.spans.len(), 1, "{:?}", p.templates);
    assert!(edge_between(&docs, &t, "bond-meritor", "meritor-shares"));
    assert_eq!(t.lineage(&docs).graph.edge_count(), 1);
}

#[test]
fn passages_and_audit_list_templates_and_frames() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.jsonl");
    let lines: Vec<String> = corpus()
        .iter()
        .map(|d| serde_json::json!({"id": d.id, "text": d.text, "date": d.date}).to_string())
        .collect();
    std::fs::write(&path, lines.join("\n")).unwrap();
    let out = Command::cargo_bin("wiretrace")
        .unwrap()
        .args(["passages", "--format", "json", "-q"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success());
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["stats"]["frames"], 2);
    assert!(json["stats"]["template_passages"].as_u64().unwrap() >= 2);
    let bonds = json["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["a"] == "bond-scotia")
        .unwrap();
    let passage = &bonds["passages"][0];
    assert_eq!(passage["kind"], "template");
    assert_eq!(passage["template"]["reason"], "frame");
    let frame = passage["template"]["frame"].as_u64().unwrap() as usize;
    assert_eq!(json["frames"][frame]["stories"], 2);
    assert!(
        json["frames"][frame]["examples"]
            .as_array()
            .unwrap()
            .contains(&Value::from("bond-victoria"))
    );
    let kuwait = json["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["a"] == "kuwait")
        .unwrap();
    assert_eq!(kuwait["passages"][0]["kind"], "reuse");

    let out = Command::cargo_bin("wiretrace")
        .unwrap()
        .args(["audit", "--format", "json", "-q"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success());
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["audit"]["template_frames"], 2);
    assert_eq!(json["audit"]["top_template_frames"][0]["stories"], 2);
    assert_eq!(json["audit"]["lineage_edges"], 2);
}

#[test]
fn a_quote_two_write_ups_share_is_not_a_copy() {
    let quote = "We will not allow speculators to push the currency around, and the bank stands \
                 ready to act with every tool it has to keep prices stable this year";
    let docs = vec![
        Document::new(
            "wire",
            format!(
                "KARACHI (Wire) -- The central bank governor warned traders on Monday. \
                 \u{201c}{quote}.\u{201d} The rupee rose 0.4 percent after the remarks, \
                 dealers said, and bond yields fell across the curve in thin trade."
            ),
        ),
        Document::new(
            "daily",
            format!(
                "Markets had a quiet start to the week until the governor spoke at a \
                 chamber of commerce lunch. \"{quote},\" he told business owners, many of \
                 whom import machinery and fear a weaker rupee before the budget."
            ),
        ),
        Document::new(
            "repost",
            format!(
                "Business desk: KARACHI (Wire) -- The central bank governor warned traders \
                 on Monday. \u{201c}{quote}.\u{201d} The rupee rose 0.4 percent after the \
                 remarks, dealers said."
            ),
        ),
    ];
    let t = run(&docs);
    let independent = pair(&t, &docs, "wire", "daily");
    assert!(independent.spans.is_empty(), "{:?}", independent.spans);
    assert_eq!(independent.templates.len(), 1);
    assert_eq!(independent.templates[0].reason, TemplateReason::Quote);
    assert!(!edge_between(&docs, &t, "wire", "daily"));
    assert!(!edge_between(&docs, &t, "daily", "repost"));
    // The repost shares the text around the quote too: a copy.
    assert_eq!(pair(&t, &docs, "wire", "repost").spans.len(), 1);
    assert!(edge_between(&docs, &t, "wire", "repost"));
    assert!(t.frames.frames.is_empty());
}

#[test]
fn index_query_names_no_formula_as_a_source() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive.jsonl");
    let lines: Vec<String> = corpus()
        .iter()
        .filter(|d| d.id != "bond-victoria" && d.id != "digest")
        .map(|d| serde_json::json!({"id": d.id, "text": d.text, "date": d.date}).to_string())
        .collect();
    std::fs::write(&archive, lines.join("\n")).unwrap();
    let ix = dir.path().join("ix");
    let wiretrace = || Command::cargo_bin("wiretrace").unwrap();
    wiretrace()
        .args(["index", "build", "-q", "-o"])
        .arg(&ix)
        .arg(&archive)
        .assert()
        .success();
    let query = |text: &str| -> Value {
        let article = dir.path().join("article.txt");
        std::fs::write(&article, text).unwrap();
        let out = wiretrace()
            .args(["index", "query", "--format", "json", "-q"])
            .arg(&ix)
            .arg(&article)
            .output()
            .unwrap();
        assert!(out.status.success());
        serde_json::from_slice(&out.stdout).unwrap()
    };
    // Another issuer's notice in the same formula: no source.
    let bond = query(BOND_VICTORIA);
    assert_eq!(bond["matches"].as_array().unwrap().len(), 0, "{bond}");
    // The digest lifts the Kuwait story: that one is named, with its passage.
    let digest = query(DIGEST);
    let matches = digest["matches"].as_array().unwrap();
    assert_eq!(matches.len(), 1, "{digest}");
    assert_eq!(matches[0]["id"], "kuwait");
    assert_eq!(matches[0]["passages"].as_array().unwrap().len(), 1);
}

/// The passage stage pushes each pair to a sink once it is final, in input order, and a
/// sink that stops ends the run: the trace holds the pairs pushed, and the paraphrase path
/// does not run.
#[test]
fn a_passage_sink_sees_every_pair_and_can_stop_the_run() {
    use wiretrace::dups::Flow;
    use wiretrace::lineage::PairEvidence;
    use wiretrace::trace::{PassageSink, find_passages_to};

    struct Collect {
        seen: Vec<(u32, u32)>,
        stop_after: usize,
    }
    impl PassageSink for Collect {
        fn pair(&mut self, docs: &[Document], p: &PairEvidence) -> wiretrace::Result<Flow> {
            assert!((p.b as usize) < docs.len());
            self.seen.push((p.a, p.b));
            Ok(if self.seen.len() == self.stop_after {
                Flow::Stop
            } else {
                Flow::Continue
            })
        }
    }
    let docs: Vec<Document> = wiretrace::read_inputs(
        &[wiretrace::Input::Path(common::sample("news.jsonl"))],
        &wiretrace::ReadOptions::default(),
    )
    .unwrap()
    .documents;
    let config = TraceConfig::default();
    let whole = find_passages(&docs, &config).unwrap();
    assert!(whole.pairs.len() >= 3, "{} pairs", whole.pairs.len());

    let mut all = Collect {
        seen: Vec::new(),
        stop_after: usize::MAX,
    };
    let streamed = find_passages_to(&docs, &config, &mut all).unwrap();
    let pairs: Vec<(u32, u32)> = whole.pairs.iter().map(|p| (p.a, p.b)).collect();
    let mut seen = all.seen.clone();
    seen.sort_unstable();
    assert_eq!(seen, pairs);
    assert_eq!(streamed.pairs, whole.pairs);

    let mut first = Collect {
        seen: Vec::new(),
        stop_after: 1,
    };
    let stopped = find_passages_to(&docs, &config, &mut first).unwrap();
    // The verbatim pairs come first (rewritten ones only once the paraphrase path ran).
    let verbatim = whole.pairs.iter().find(|p| !p.paraphrase).unwrap();
    assert_eq!(first.seen, [(verbatim.a, verbatim.b)]);
    assert_eq!(stopped.pairs, std::slice::from_ref(verbatim));
    assert_eq!(stopped.paraphrase_candidates, 0);
}

/// The whole of Reuters-21578: formulas whose specifics partly agree link no stories,
/// and real copies whose names or figures are read with care stay linked.
#[test]
fn reuters_formulas_agreeing_on_a_term_are_not_edges_and_real_copies_stay() {
    let Some(reuters) = common::shared_corpus("reuters21578.jsonl") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("lineage.json");
    common::run(&[
        "lineage",
        reuters.to_str().unwrap(),
        "-q",
        "-o",
        out.to_str().unwrap(),
    ]);
    let json: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let edges: std::collections::HashSet<(String, String)> = json["edges"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| {
            let (p, c) = (e["parent"].as_str().unwrap(), e["child"].as_str().unwrap());
            [
                (p.to_string(), c.to_string()),
                (c.to_string(), p.to_string()),
            ]
        })
        .collect();
    let linked = |a: u32, b: u32| edges.contains(&(format!("reuters-{a}"), format!("reuters-{b}")));
    // Two issuers' filings agreeing on one figure beyond the formula (`a 75 mln dlr issue
    // of convertible subordinated debentures due 2012`: Micropolis, Atari).
    assert!(!linked(1531, 7697));
    // Two weeks' Ontario treasury-bill auctions, whose average prices differ after the
    // point (`98.217`, `98.307`).
    assert!(!linked(1106, 14164));
    // Two issuers' convertible eurobonds, one lead manager (Credit Suisse First Boston):
    // Xyvision, Goodman Fielder.
    assert!(!linked(15385, 17476));
    // Two export bonuses under one programme: wheat for China, cattle for Egypt.
    assert!(!linked(3904, 7962));
    // Murray Ohio's outlook sent twice, once as `The Murray Ohio Manufacturing Co said`.
    assert!(linked(6732, 6762));
    // Tribune's medium-term notes, told twice; S-K-I's quarter, sent twice.
    assert!(linked(19239, 19265));
    assert!(linked(483, 783));
}
