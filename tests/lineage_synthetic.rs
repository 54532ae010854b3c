//! Lineage and passages on a synthetic syndicated corpus with known truth.

use ahash::{AHashMap, AHashSet};
use wiretrace::normalize::tokenize;
use wiretrace::synth::{SynthConfig, SynthCorpus, generate};
use wiretrace::trace::{TraceConfig, find_passages};

fn corpus() -> SynthCorpus {
    generate(&SynthConfig::default())
}

/// Words between two byte offsets of a text.
fn words_between(text: &str, x: usize, y: usize) -> usize {
    let (lo, hi) = (x.min(y), x.max(y));
    tokenize(&text[lo..hi]).len()
}

#[test]
fn lineage_edges_match_the_truth() {
    let corpus = corpus();
    let docs = &corpus.documents;
    let t = find_passages(docs, &TraceConfig::default()).unwrap();
    let lineage = t.lineage(docs);
    let id = |i: u32| docs[i as usize].id.clone();
    let predicted: AHashSet<(String, String)> = lineage
        .edges()
        .iter()
        .map(|e| (id(e.parent), id(e.child)))
        .collect();
    let truth: AHashSet<(String, String)> = corpus
        .truth
        .iter()
        .map(|e| (e.parent.clone(), e.child.clone()))
        .collect();
    let tp = predicted.intersection(&truth).count() as f64;
    let precision = tp / predicted.len() as f64;
    let recall = tp / truth.len() as f64;
    let f1 = 2.0 * precision * recall / (precision + recall);
    eprintln!(
        "synthetic lineage: {} truth edges, {} predicted, precision {precision:.3}, recall {recall:.3}, F1 {f1:.3}",
        truth.len(),
        predicted.len()
    );
    for missing in truth.difference(&predicted).take(10) {
        eprintln!("  missed {missing:?}");
    }
    for extra in predicted.difference(&truth).take(10) {
        eprintln!("  extra {extra:?}");
    }
    assert!(truth.len() >= 200, "{}", truth.len());
    assert!(f1 >= 0.9, "F1 {f1}");

    // Each kind of copy is represented and mostly recovered; kinds are classified.
    let kinds: AHashMap<(String, String), &str> = lineage
        .edges()
        .iter()
        .map(|e| {
            (
                (id(e.parent), id(e.child)),
                match e.kind {
                    wiretrace::lineage::EdgeKind::Verbatim => "verbatim",
                    wiretrace::lineage::EdgeKind::NearDuplicate => "near-duplicate",
                    wiretrace::lineage::EdgeKind::Truncated => "truncated",
                    wiretrace::lineage::EdgeKind::Extended => "extended",
                    wiretrace::lineage::EdgeKind::Excerpt => "excerpt",
                    wiretrace::lineage::EdgeKind::Rewritten => "rewritten",
                },
            )
        })
        .collect();
    for kind in [
        "verbatim",
        "edited",
        "truncated",
        "excerpt",
        "repost-of-repost",
    ] {
        let of_kind: Vec<_> = corpus.truth.iter().filter(|e| e.kind == kind).collect();
        let found = of_kind
            .iter()
            .filter(|e| predicted.contains(&(e.parent.clone(), e.child.clone())))
            .count();
        eprintln!("  {kind}: {found} of {}", of_kind.len());
        assert!(of_kind.len() >= 5, "{kind}: only {} planted", of_kind.len());
        assert!(
            found as f64 >= 0.85 * of_kind.len() as f64,
            "{kind}: {found} of {}",
            of_kind.len()
        );
        let expected_kind = match kind {
            "verbatim" => "verbatim",
            "edited" | "repost-of-repost" => "near-duplicate",
            other => other,
        };
        let right_kind = of_kind
            .iter()
            .filter(|e| kinds.get(&(e.parent.clone(), e.child.clone())) == Some(&expected_kind))
            .count();
        assert!(
            right_kind as f64 >= 0.8 * found as f64,
            "{kind}: {right_kind} of {found} classified {expected_kind}"
        );
    }

    // No edge joins two distractors or a distractor and a wire story.
    assert!(
        predicted
            .iter()
            .all(|(p, c)| !p.starts_with("other-") && !c.starts_with("other-"))
    );
}

#[test]
fn excerpt_spans_are_within_a_few_words_of_the_truth() {
    let corpus = corpus();
    let docs = &corpus.documents;
    let index: AHashMap<&str, u32> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id.as_str(), i as u32))
        .collect();
    let t = find_passages(docs, &TraceConfig::default()).unwrap();
    let mut checked = 0;
    for truth in corpus.truth.iter().filter(|e| e.kind == "excerpt") {
        let ((ps, pe), (cs, ce)) = truth.spans.unwrap();
        let (p, c) = (index[truth.parent.as_str()], index[truth.child.as_str()]);
        let (a, b) = (p.min(c), p.max(c));
        let pair = t
            .pairs
            .iter()
            .find(|e| (e.a, e.b) == (a, b))
            .unwrap_or_else(|| panic!("no passages between {} and {}", truth.parent, truth.child));
        let (ptext, ctext) = (&docs[p as usize].text, &docs[c as usize].text);
        let best = pair
            .spans
            .iter()
            .map(|s| {
                let (pb, cb) = if p == a {
                    (s.a_bytes, s.b_bytes)
                } else {
                    (s.b_bytes, s.a_bytes)
                };
                words_between(ptext, pb.0, ps)
                    + words_between(ptext, pb.1, pe)
                    + words_between(ctext, cb.0, cs)
                    + words_between(ctext, cb.1, ce)
            })
            .min()
            .unwrap();
        assert!(
            best <= 3,
            "{} → {}: boundaries off by {best} words",
            truth.parent,
            truth.child
        );
        checked += 1;
    }
    assert!(checked >= 10, "{checked}");
}

#[test]
fn outlet_boilerplate_is_found_and_never_evidence() {
    let corpus = corpus();
    let docs = &corpus.documents;
    let t = find_passages(docs, &TraceConfig::default()).unwrap();
    let footers = t
        .boilerplate
        .templates
        .iter()
        .filter(|tpl| tpl.text.contains("newsletter") && tpl.text.contains("You may also like"))
        .count();
    assert!(
        footers >= 5,
        "{:?}",
        t.boilerplate
            .templates
            .iter()
            .map(|t| &t.text)
            .collect::<Vec<_>>()
    );
    // Distractors share only boilerplate with each other: no passages between them.
    assert!(t.pairs.iter().all(|e| {
        !(docs[e.a as usize].id.starts_with("other-")
            && docs[e.b as usize].id.starts_with("other-"))
    }));
}

/// A roundup merging two wire stories is a copy with two parents: both in the truth, its
/// text holding the opening of each, and the two stories one cluster.
#[test]
fn merged_copies_have_two_parents_and_join_their_stories() {
    let corpus = generate(&SynthConfig {
        merged_percent: 30,
        ..SynthConfig::default()
    });
    let text_of: AHashMap<&str, &str> = corpus
        .documents
        .iter()
        .map(|d| (d.id.as_str(), d.text.as_str()))
        .collect();
    let mut parents: AHashMap<&str, Vec<&str>> = AHashMap::new();
    for e in corpus.truth.iter().filter(|e| e.kind == "merged") {
        parents.entry(&e.child).or_default().push(&e.parent);
    }
    assert!(parents.len() >= 10, "{}", parents.len());
    let truth = corpus.truth_json();
    let clusters = truth["clusters"].as_array().unwrap();
    for (child, ps) in &parents {
        assert_eq!(ps.len(), 2, "{child}: {ps:?}");
        assert_ne!(ps[0], ps[1]);
        for p in ps {
            // The opening sentence of each story (after its dateline) is in the roundup.
            let opening = text_of[p].split("\n\n").nth(1).unwrap();
            let sentence = opening.split(". ").nth(1).unwrap();
            assert!(
                text_of[child].contains(sentence),
                "{child} lacks {p}'s opening"
            );
        }
        let holding: Vec<usize> = (0..clusters.len())
            .filter(|&i| {
                clusters[i]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|m| m == child || ps.iter().any(|p| m == p))
            })
            .collect();
        assert_eq!(holding.len(), 1, "{child}: clusters {holding:?}");
    }
    // Every document is in at most one cluster.
    let mut seen = AHashSet::new();
    for m in clusters.iter().flat_map(|c| c.as_array().unwrap()) {
        assert!(seen.insert(m.as_str().unwrap()), "{m} in two clusters");
    }
}
