//! Measuring an output against labelled truth: `wiretrace eval`.
//!
//! A lineage graph is only as useful as it is right, and "right" has several parts. Did we
//! link the documents that share a source (undirected edges)? Did we point each link the
//! right way (directed edges, and the accuracy of the directions we claim)? Do our story
//! families match the true groups (adjusted Rand index)? Do our passages cover the reused
//! characters, and only those (PAN's character-level measures)? This module computes each
//! from a truth file and a `lineage`, `passages` or `dups` JSON output.
//!
//! **Truth** (the format of `../shared/corpora/reuse/README.md`): `edges` (`parent`,
//! `child`, optional `label`), `negatives` (`[id, id]` pairs known not to be reuse),
//! optional `clusters` (lists of ids) and optional `passages` (`parent`, `child`,
//! `parent_offset`, `parent_length`, `child_offset`, `child_length`, in Unicode code
//! points). Other keys are ignored.
//!
//! **Labelled pairs** are the truth edges and the negatives; every other pair is
//! unlabelled — unknown, not wrong. Precision therefore counts only predictions on
//! labelled pairs (a prediction on a negative is a false positive), and the number of
//! predictions on unlabelled pairs is reported beside it. For a generated corpus whose truth
//! lists every reuse edge, [`EvalOptions::complete`] counts unlabelled pairs as negatives. Per label, precision is the
//! label's true positives against the same false positives (negatives carry no label).
//!
//! **Directions**: a lineage edge claims a direction unless it says
//! `"directed": false`. Directed recall counts truth edges found *and* pointed the right
//! way; direction accuracy is the share of right directions among the claimed ones on
//! truth edges; the undetermined share is the share of found truth edges left without a
//! direction.
//!
//! **Inferred sources** (lineage nodes with `"inferred": true`, standing for an original
//! that is not in the corpus) are matched to truth nodes that are not in the corpus — by
//! the children they share, greedily, most shared first — and their edges are scored as
//! edges of the matched node. Which truth nodes are absent is known from `--corpus`; without
//! it, a truth parent that never appears in the output counts as absent.
//!
//! **Passages** follow Potthast et al. (COLING 2010): a case is the pair of character
//! ranges of one truth passage (parent side and child side), a detection one predicted
//! passage on the same document pair; recall is the mean share of each case's characters
//! covered by detections, precision the mean share of each detection's characters inside
//! cases, granularity the mean number of detections per detected case, and
//! `plagdet = F1 / log2(1 + granularity)`. Detections on pairs the truth does not label are
//! left out.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};

/// One reuse edge of the truth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TruthEdge {
    /// The source.
    pub parent: String,
    /// The copy.
    pub child: String,
    /// The truth's label for it (`""` when none).
    pub label: String,
}

/// One gold passage: the same text at these code-point ranges of parent and child.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TruthPassage {
    /// Source document.
    pub parent: String,
    /// Copying document.
    pub child: String,
    /// `[start, end)` in the parent.
    pub parent_range: (usize, usize),
    /// `[start, end)` in the child.
    pub child_range: (usize, usize),
}

/// Labelled truth.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Truth {
    /// Known reuse.
    pub edges: Vec<TruthEdge>,
    /// Pairs known not to be reuse.
    pub negatives: Vec<(String, String)>,
    /// True groups, when the truth has them (empty lists count as none).
    pub clusters: Vec<Vec<String>>,
    /// Gold passages.
    pub passages: Vec<TruthPassage>,
}

fn unordered(a: &str, b: &str) -> (String, String) {
    if a <= b {
        (a.to_string(), b.to_string())
    } else {
        (b.to_string(), a.to_string())
    }
}

/// A parse result whose error names the field (`edges[3].child`).
type Parsed<T> = std::result::Result<T, String>;

/// A truth id: a non-empty string or an integer.
fn truth_id(v: &Value, at: &str) -> Parsed<String> {
    match v {
        Value::String(s) if !s.is_empty() => Ok(s.clone()),
        Value::Number(n) if n.is_u64() || n.is_i64() => Ok(n.to_string()),
        Value::Null => Err(format!("{at}: missing")),
        _ => Err(format!("{at}: not an id (a string or an integer)")),
    }
}

/// The list under `key` of the truth object (empty when absent and not `required`).
fn truth_list<'a>(
    obj: &'a serde_json::Map<String, Value>,
    key: &str,
    required: bool,
) -> Parsed<&'a [Value]> {
    match obj.get(key) {
        Some(Value::Array(a)) => Ok(a.as_slice()),
        None if !required => Ok(&[]),
        None => Err(format!("no '{key}' list")),
        Some(_) => Err(format!("'{key}' is not a list")),
    }
}

impl Truth {
    /// Reads and checks a truth file: malformed JSON, a missing or mistyped field, a
    /// duplicate edge or negative, or a pair both edge and negative is an error naming the
    /// file and the field (`edges[3].child`), or the line for JSON syntax.
    pub fn read(path: &Path) -> Result<Truth> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| Error::Input {
            path: path.to_path_buf(),
            source,
        })?;
        let value: Value = serde_json::from_str(&text).map_err(|e| {
            Error::Config(format!(
                "truth file '{shown}', line {} column {}: {e}",
                e.line(),
                e.column()
            ))
        })?;
        Truth::from_value(&value)
            .map_err(|msg| Error::Config(format!("truth file '{shown}': {msg}")))
    }

    /// Builds truth from a parsed JSON value (errors name the field).
    pub fn from_value(value: &Value) -> Parsed<Truth> {
        let obj = value.as_object().ok_or("not a JSON object")?;
        let mut truth = Truth::default();
        // Every labelled pair, edge or negative, and where it was first labelled.
        let mut seen: HashMap<(String, String), String> = HashMap::new();
        truth.read_edges(truth_list(obj, "edges", true)?, &mut seen)?;
        truth.read_negatives(truth_list(obj, "negatives", false)?, &mut seen)?;
        truth.read_clusters(truth_list(obj, "clusters", false)?)?;
        truth.read_passages(truth_list(obj, "passages", false)?)?;
        Ok(truth)
    }

    fn read_edges(
        &mut self,
        edges: &[Value],
        seen: &mut HashMap<(String, String), String>,
    ) -> Parsed<()> {
        for (i, e) in edges.iter().enumerate() {
            let at = format!("edges[{i}]");
            if !e.is_object() {
                return Err(format!("{at}: not an object"));
            }
            let parent = truth_id(&e["parent"], &format!("{at}.parent"))?;
            let child = truth_id(&e["child"], &format!("{at}.child"))?;
            if parent == child {
                return Err(format!("{at}: parent and child are both '{parent}'"));
            }
            let label = match &e["label"] {
                Value::Null => String::new(),
                Value::String(s) => s.clone(),
                _ => return Err(format!("{at}.label: not a string")),
            };
            if let Some(first) = seen.insert(unordered(&parent, &child), at.clone()) {
                return Err(format!(
                    "{at}: duplicate edge between '{parent}' and '{child}' (first at {first})"
                ));
            }
            self.edges.push(TruthEdge {
                parent,
                child,
                label,
            });
        }
        Ok(())
    }

    fn read_negatives(
        &mut self,
        negatives: &[Value],
        seen: &mut HashMap<(String, String), String>,
    ) -> Parsed<()> {
        for (i, n) in negatives.iter().enumerate() {
            let at = format!("negatives[{i}]");
            let pair = n
                .as_array()
                .filter(|p| p.len() == 2)
                .ok_or(format!("{at}: not a pair [id, id]"))?;
            let a = truth_id(&pair[0], &format!("{at}[0]"))?;
            let b = truth_id(&pair[1], &format!("{at}[1]"))?;
            if let Some(first) = seen.insert(unordered(&a, &b), at.clone()) {
                return Err(format!(
                    "{at}: the pair '{a}', '{b}' is already labelled at {first}"
                ));
            }
            self.negatives.push((a, b));
        }
        Ok(())
    }

    /// Clusters: lists of ids, each id in one cluster at most.
    fn read_clusters(&mut self, clusters: &[Value]) -> Parsed<()> {
        for (i, c) in clusters.iter().enumerate() {
            let at = format!("clusters[{i}]");
            let members = c.as_array().ok_or(format!("{at}: not a list"))?;
            let ids = members
                .iter()
                .enumerate()
                .map(|(j, m)| truth_id(m, &format!("{at}[{j}]")))
                .collect::<Parsed<Vec<_>>>()?;
            if !ids.is_empty() {
                self.clusters.push(ids);
            }
        }
        let mut in_cluster: HashMap<&str, usize> = HashMap::new();
        for (i, c) in self.clusters.iter().enumerate() {
            for m in c {
                if let Some(j) = in_cluster.insert(m, i) {
                    return Err(format!("clusters[{i}]: '{m}' is also in clusters[{j}]"));
                }
            }
        }
        Ok(())
    }

    fn read_passages(&mut self, passages: &[Value]) -> Parsed<()> {
        for (i, p) in passages.iter().enumerate() {
            let at = format!("passages[{i}]");
            let num = |key: &str| -> Parsed<usize> {
                p[key]
                    .as_u64()
                    .map(|n| n as usize)
                    .ok_or(format!("{at}.{key}: not a whole number"))
            };
            let parent = truth_id(&p["parent"], &format!("{at}.parent"))?;
            let child = truth_id(&p["child"], &format!("{at}.child"))?;
            let (po, pl, co, cl) = (
                num("parent_offset")?,
                num("parent_length")?,
                num("child_offset")?,
                num("child_length")?,
            );
            self.passages.push(TruthPassage {
                parent,
                child,
                parent_range: (po, po + pl),
                child_range: (co, co + cl),
            });
        }
        Ok(())
    }

    /// Every id the truth names.
    pub fn ids(&self) -> BTreeSet<&str> {
        let mut ids = BTreeSet::new();
        for e in &self.edges {
            ids.insert(e.parent.as_str());
            ids.insert(e.child.as_str());
        }
        for (a, b) in &self.negatives {
            ids.insert(a.as_str());
            ids.insert(b.as_str());
        }
        for c in &self.clusters {
            ids.extend(c.iter().map(String::as_str));
        }
        for p in &self.passages {
            ids.insert(p.parent.as_str());
            ids.insert(p.child.as_str());
        }
        ids
    }
}

/// A predicted edge: `parent → child`, or an undirected link when `directed` is false.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PredictedEdge {
    /// Parent (or either end of an undirected link).
    pub parent: String,
    /// Child (or the other end).
    pub child: String,
    /// Whether the output claims the direction.
    pub directed: bool,
}

/// A predicted passage on a document pair: code-point ranges in `a` and `b`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PredictedPassage {
    /// First document.
    pub a: String,
    /// Second document.
    pub b: String,
    /// `[start, end)` in `a`.
    pub a_range: (usize, usize),
    /// `[start, end)` in `b`.
    pub b_range: (usize, usize),
}

/// What an output predicts, whatever command wrote it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prediction {
    /// `lineage`, `passages` or `dups`.
    pub command: String,
    /// Edges (lineage) or pairs (passages, dups; undirected).
    pub edges: Vec<PredictedEdge>,
    /// Families.
    pub clusters: Vec<Vec<String>>,
    /// Shared passages.
    pub passages: Vec<PredictedPassage>,
    /// Ids of inferred (unseen-source) nodes.
    pub inferred: BTreeSet<String>,
    /// Every document id the output names.
    pub ids: BTreeSet<String>,
}

impl Prediction {
    /// Reads a `lineage`, `passages` or `dups` JSON output (`--format json`).
    pub fn read(path: &Path) -> Result<Prediction> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| Error::Input {
            path: path.to_path_buf(),
            source,
        })?;
        let value: Value = serde_json::from_str(&text).map_err(|e| {
            Error::Config(format!(
                "output '{shown}', line {} column {}: {e} (give the JSON output of lineage, \
                 passages or dups)",
                e.line(),
                e.column()
            ))
        })?;
        Prediction::from_value(&value)
            .map_err(|msg| Error::Config(format!("output '{shown}': {msg}")))
    }

    /// Builds a prediction from a parsed output.
    pub fn from_value(value: &Value) -> Parsed<Prediction> {
        let command = value["command"]
            .as_str()
            .ok_or("no 'command' field: not a wiretrace JSON output")?
            .to_string();
        let mut p = Prediction {
            command: command.clone(),
            ..Prediction::default()
        };
        match command.as_str() {
            "lineage" => {
                p.read_lineage(value)?;
                p.clusters = output_families(value)?;
            }
            "passages" | "dups" => {
                p.read_pairs(value, command == "passages")?;
                if command == "dups" {
                    p.clusters = output_families(value)?;
                }
            }
            other => {
                return Err(format!(
                    "command '{other}': eval reads the JSON of lineage, passages or dups"
                ));
            }
        }
        for c in &p.clusters {
            p.ids.extend(c.iter().cloned());
        }
        Ok(p)
    }

    /// The nodes and the edges of a `lineage` output, with their spans.
    fn read_lineage(&mut self, value: &Value) -> Parsed<()> {
        for (i, n) in output_list(value, "nodes")?.iter().enumerate() {
            let id = output_text(&n["id"], &format!("nodes[{i}].id"))?;
            if n["inferred"].as_bool() == Some(true) {
                self.inferred.insert(id.clone());
            }
            self.ids.insert(id);
        }
        for (i, e) in output_list(value, "edges")?.iter().enumerate() {
            let at = format!("edges[{i}]");
            let parent = output_text(&e["parent"], &format!("{at}.parent"))?;
            let child = output_text(&e["child"], &format!("{at}.child"))?;
            let directed = e["directed"].as_bool().unwrap_or(true)
                && e["direction"].as_str() != Some("undetermined");
            for s in e["spans"].as_array().map(Vec::as_slice).unwrap_or(&[]) {
                let at = format!("{at}.spans");
                // `a` is the parent (earlier outputs wrote `parent_start`, `child_start`, …).
                let (a, b) = if s.get("a_start").is_some() {
                    ("a", "b")
                } else {
                    ("parent", "child")
                };
                self.passages.push(PredictedPassage {
                    a: parent.clone(),
                    b: child.clone(),
                    a_range: span_range(s, a, &at)?,
                    b_range: span_range(s, b, &at)?,
                });
            }
            self.edges.push(PredictedEdge {
                parent,
                child,
                directed,
            });
        }
        Ok(())
    }

    /// The pairs of a `passages` or `dups` output as undirected edges, with the passages
    /// of reuse. In `passages`, a pair with only template and quote passages is no edge.
    fn read_pairs(&mut self, value: &Value, passages: bool) -> Parsed<()> {
        for (i, pair) in output_list(value, "pairs")?.iter().enumerate() {
            let at = format!("pairs[{i}]");
            let a = output_text(&pair["a"], &format!("{at}.a"))?;
            let b = output_text(&pair["b"], &format!("{at}.b"))?;
            let listed = pair["passages"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            let is_reuse = |s: &Value| s["kind"].as_str().is_none_or(|k| k == "reuse");
            if passages && !listed.is_empty() && !listed.iter().any(is_reuse) {
                continue;
            }
            for (j, s) in listed.iter().enumerate().filter(|(_, s)| is_reuse(s)) {
                let at = format!("{at}.passages[{j}]");
                self.passages.push(PredictedPassage {
                    a: a.clone(),
                    b: b.clone(),
                    a_range: span_range(s, "a", &at)?,
                    b_range: span_range(s, "b", &at)?,
                });
            }
            self.ids.insert(a.clone());
            self.ids.insert(b.clone());
            self.edges.push(PredictedEdge {
                parent: a,
                child: b,
                directed: false,
            });
        }
        Ok(())
    }
}

fn output_text(v: &Value, at: &str) -> Parsed<String> {
    v.as_str()
        .map(str::to_string)
        .ok_or(format!("{at}: not a string"))
}

/// `{side}_start` and `{side}_end` of a span, as a range.
fn span_range(v: &Value, side: &str, at: &str) -> Parsed<(usize, usize)> {
    let num = |key: String| {
        v[key.as_str()]
            .as_u64()
            .map(|n| n as usize)
            .ok_or(format!("{at}.{key}: not a whole number"))
    };
    Ok((num(format!("{side}_start"))?, num(format!("{side}_end"))?))
}

fn output_list<'a>(value: &'a Value, key: &str) -> Parsed<&'a [Value]> {
    value[key]
        .as_array()
        .map(Vec::as_slice)
        .ok_or(format!("no '{key}' list"))
}

/// The members of every family of an output.
fn output_families(value: &Value) -> Parsed<Vec<Vec<String>>> {
    output_list(value, "families")?
        .iter()
        .enumerate()
        .map(|(i, f)| {
            f["members"]
                .as_array()
                .ok_or(format!("families[{i}].members: not a list"))?
                .iter()
                .enumerate()
                .map(|(j, m)| output_text(m, &format!("families[{i}].members[{j}]")))
                .collect()
        })
        .collect()
}

/// Precision, recall and F1, with the counts behind them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Scores {
    /// Right predictions.
    pub true_positives: usize,
    /// Predictions on negatives.
    pub false_positives: usize,
    /// Truth edges not found.
    pub false_negatives: usize,
    /// `tp / (tp + fp)`; 0 when nothing was predicted on a labelled pair.
    pub precision: f64,
    /// `tp / (tp + fn)`.
    pub recall: f64,
    /// Harmonic mean of the two.
    pub f1: f64,
}

impl Scores {
    fn new(tp: usize, fp: usize, fn_: usize) -> Scores {
        let precision = ratio(tp as f64, tp + fp);
        let recall = ratio(tp as f64, tp + fn_);
        let f1 = f1(precision, recall);
        Scores {
            true_positives: tp,
            false_positives: fp,
            false_negatives: fn_,
            precision: round4(precision),
            recall: round4(recall),
            f1: round4(f1),
        }
    }
}

/// `n / d`, 0 when `d` is 0.
fn ratio(n: f64, d: usize) -> f64 {
    if d == 0 { 0.0 } else { n / d as f64 }
}

/// Harmonic mean of precision and recall, 0 when both are 0.
fn f1(precision: f64, recall: f64) -> f64 {
    if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    }
}

fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

/// Edge scores for all truth edges or one label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EdgeScores {
    /// Truth edges counted.
    pub truth_edges: usize,
    /// Links found, either way round.
    pub undirected: Scores,
    /// Links found and pointed the right way.
    pub directed: Scores,
    /// Right directions among the found truth edges that claim one (`None`: none claim).
    pub direction_accuracy: Option<f64>,
    /// Share of found truth edges left undetermined.
    pub undetermined_share: f64,
}

/// Character-level passage scores (PAN).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PassageScores {
    /// Gold cases.
    pub cases: usize,
    /// Detections on labelled pairs.
    pub detections: usize,
    /// Mean share of each case's characters covered.
    pub recall: f64,
    /// Mean share of each detection's characters inside cases.
    pub precision: f64,
    /// Detections per detected case.
    pub granularity: f64,
    /// `F1 / log2(1 + granularity)`.
    pub plagdet: f64,
}

/// The report of `wiretrace eval`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// The command that wrote the output.
    pub command: String,
    /// Predicted edges (after mapping inferred nodes).
    pub predicted_edges: usize,
    /// Predicted edges on labelled pairs.
    pub predicted_on_labelled: usize,
    /// Predicted edges on pairs the truth does not label.
    pub predicted_on_unlabelled: usize,
    /// All truth edges.
    pub overall: EdgeScores,
    /// Per truth label, in name order.
    pub by_label: BTreeMap<String, EdgeScores>,
    /// Adjusted Rand index of the families against the truth clusters (when it has them).
    pub family_ari: Option<f64>,
    /// Passage scores (when the truth has passages).
    pub passages: Option<PassageScores>,
    /// Passage scores per truth label (when the passages' pairs carry two labels or more).
    pub passages_by_label: BTreeMap<String, PassageScores>,
    /// Inferred nodes of the output, and those matched to an absent truth node.
    pub inferred_nodes: usize,
    /// `inferred id → truth id`.
    pub inferred_matches: BTreeMap<String, String>,
}

/// How to read the truth.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EvalOptions {
    /// The truth lists every reuse edge (a generated corpus): pairs it does not label are
    /// negatives rather than unknown.
    pub complete: bool,
}

/// Scores `prediction` against `truth`. `corpus_ids`, when known, are the documents of the
/// corpus: truth nodes outside it are unseen sources, which inferred nodes may stand for.
pub fn evaluate(
    truth: &Truth,
    prediction: &Prediction,
    corpus_ids: Option<&BTreeSet<String>>,
    options: EvalOptions,
) -> Evaluation {
    let inferred_matches = match_inferred(truth, prediction, corpus_ids);
    let map = |id: &str| -> String {
        inferred_matches
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    };
    let edges: Vec<PredictedEdge> = prediction
        .edges
        .iter()
        .map(|e| PredictedEdge {
            parent: map(&e.parent),
            child: map(&e.child),
            directed: e.directed,
        })
        .collect();

    let links = Links::new(&edges, truth, options);
    let all: Vec<&TruthEdge> = truth.edges.iter().collect();
    let family_ari = (!truth.clusters.is_empty()).then(|| {
        let clusters: Vec<Vec<String>> = prediction
            .clusters
            .iter()
            .map(|c| c.iter().map(|m| map(m)).collect())
            .collect();
        round4(adjusted_rand_index(&truth.clusters, &clusters))
    });
    let passages = (!truth.passages.is_empty()).then(|| {
        let mut labelled: BTreeSet<(String, String)> =
            links.truth_pairs.union(&links.negatives).cloned().collect();
        if options.complete {
            labelled.extend(links.predicted.keys().cloned());
        }
        score_passages(&truth.passages, &prediction.passages, &labelled, &map)
    });
    let labelled = links.on_truth + links.false_positives;
    Evaluation {
        command: prediction.command.clone(),
        predicted_edges: links.predicted.len(),
        predicted_on_labelled: labelled,
        predicted_on_unlabelled: links.predicted.len() - labelled,
        overall: links.score(&all),
        by_label: links.by_label(truth),
        family_ari,
        passages,
        passages_by_label: passages_by_label(truth, &prediction.passages, &map),
        inferred_nodes: prediction.inferred.len(),
        inferred_matches,
    }
}

/// The predicted links, each unordered pair once, set against the truth's pairs.
struct Links<'a> {
    /// Each unordered pair once: the first claim wins (an output has one edge per pair).
    predicted: BTreeMap<(String, String), &'a PredictedEdge>,
    truth_pairs: BTreeSet<(String, String)>,
    negatives: BTreeSet<(String, String)>,
    /// Predicted links on negative pairs (on any unlabelled pair when the truth is
    /// complete).
    false_positives: usize,
    /// Predicted links on truth edges.
    on_truth: usize,
}

impl<'a> Links<'a> {
    fn new(edges: &'a [PredictedEdge], truth: &Truth, options: EvalOptions) -> Self {
        let mut predicted: BTreeMap<(String, String), &PredictedEdge> = BTreeMap::new();
        for e in edges {
            predicted.entry(unordered(&e.parent, &e.child)).or_insert(e);
        }
        let negatives: BTreeSet<(String, String)> = truth
            .negatives
            .iter()
            .map(|(a, b)| unordered(a, b))
            .collect();
        let truth_pairs: BTreeSet<(String, String)> = truth
            .edges
            .iter()
            .map(|e| unordered(&e.parent, &e.child))
            .collect();
        let false_positives = predicted
            .keys()
            .filter(|k| negatives.contains(*k) || (options.complete && !truth_pairs.contains(*k)))
            .count();
        let on_truth = predicted
            .keys()
            .filter(|k| truth_pairs.contains(*k))
            .count();
        Links {
            predicted,
            truth_pairs,
            negatives,
            false_positives,
            on_truth,
        }
    }

    /// The scores of the links against the `selected` truth edges.
    fn score(&self, selected: &[&TruthEdge]) -> EdgeScores {
        let (mut found, mut right, mut undetermined) = (0, 0, 0);
        for t in selected {
            if let Some(p) = self.predicted.get(&unordered(&t.parent, &t.child)) {
                found += 1;
                if !p.directed {
                    undetermined += 1;
                } else if p.parent == t.parent {
                    right += 1;
                }
            }
        }
        let n = selected.len();
        let claimed = found - undetermined;
        let fp = self.false_positives;
        EdgeScores {
            truth_edges: n,
            undirected: Scores::new(found, fp, n - found),
            directed: Scores::new(right, fp + (found - right), n - right),
            direction_accuracy: (claimed > 0).then(|| round4(right as f64 / claimed as f64)),
            undetermined_share: if found == 0 {
                0.0
            } else {
                round4(undetermined as f64 / found as f64)
            },
        }
    }

    /// Scores per truth label (none when the truth labels nothing).
    fn by_label(&self, truth: &Truth) -> BTreeMap<String, EdgeScores> {
        let mut labels: BTreeMap<String, Vec<&TruthEdge>> = BTreeMap::new();
        for e in &truth.edges {
            labels.entry(e.label.clone()).or_default().push(e);
        }
        if labels.len() > 1 || labels.keys().any(|l| !l.is_empty()) {
            labels
                .iter()
                .map(|(l, es)| (l.clone(), self.score(es)))
                .collect()
        } else {
            BTreeMap::new()
        }
    }
}

/// Passage scores per truth label, when the truth's edges carry two labels or more: the
/// cases on pairs of that label, detections on those pairs only.
fn passages_by_label(
    truth: &Truth,
    detections: &[PredictedPassage],
    map: &dyn Fn(&str) -> String,
) -> BTreeMap<String, PassageScores> {
    let mut by_label = BTreeMap::new();
    if truth.passages.is_empty() {
        return by_label;
    }
    let mut label_of: BTreeMap<(String, String), &str> = BTreeMap::new();
    for e in &truth.edges {
        label_of.insert(unordered(&e.parent, &e.child), &e.label);
    }
    let labels: BTreeSet<&str> = label_of
        .values()
        .copied()
        .filter(|l| !l.is_empty())
        .collect();
    if labels.len() < 2 {
        return by_label;
    }
    for label in labels {
        let pairs: BTreeSet<(String, String)> = label_of
            .iter()
            .filter(|(_, l)| **l == label)
            .map(|(p, _)| p.clone())
            .collect();
        let cases: Vec<TruthPassage> = truth
            .passages
            .iter()
            .filter(|c| pairs.contains(&unordered(&c.parent, &c.child)))
            .cloned()
            .collect();
        if !cases.is_empty() {
            by_label.insert(
                label.to_string(),
                score_passages(&cases, detections, &pairs, map),
            );
        }
    }
    by_label
}

/// Inferred node → absent truth node, by the most shared children, greedily.
fn match_inferred(
    truth: &Truth,
    prediction: &Prediction,
    corpus_ids: Option<&BTreeSet<String>>,
) -> BTreeMap<String, String> {
    if prediction.inferred.is_empty() {
        return BTreeMap::new();
    }
    let absent = |id: &str| match corpus_ids {
        Some(ids) => !ids.contains(id),
        None => !prediction.ids.contains(id),
    };
    let mut truth_children: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for e in truth.edges.iter().filter(|e| absent(&e.parent)) {
        truth_children
            .entry(&e.parent)
            .or_default()
            .insert(&e.child);
    }
    let mut predicted_children: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for e in &prediction.edges {
        if prediction.inferred.contains(&e.parent) {
            predicted_children
                .entry(&e.parent)
                .or_default()
                .insert(&e.child);
        }
    }
    let mut overlaps: Vec<(usize, &str, &str)> = Vec::new();
    for (inf, kids) in &predicted_children {
        for (t, tkids) in &truth_children {
            let shared = kids.intersection(tkids).count();
            if shared > 0 {
                overlaps.push((shared, inf, t));
            }
        }
    }
    overlaps.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(y.1)).then(x.2.cmp(y.2)));
    let mut matched = BTreeMap::new();
    let mut used: BTreeSet<&str> = BTreeSet::new();
    for (_, inf, t) in overlaps {
        if !matched.contains_key(inf) && !used.contains(t) {
            matched.insert(inf.to_string(), t.to_string());
            used.insert(t);
        }
    }
    matched
}

/// Adjusted Rand index (Hubert and Arabie) of `predicted` against `truth`, over the items
/// of the truth clusters; an item in no predicted cluster is a singleton.
pub fn adjusted_rand_index(truth: &[Vec<String>], predicted: &[Vec<String>]) -> f64 {
    let mut predicted_of: HashMap<&str, usize> = HashMap::new();
    for (i, c) in predicted.iter().enumerate() {
        for m in c {
            predicted_of.entry(m).or_insert(i);
        }
    }
    // Contingency table over the truth's items.
    let mut table: HashMap<(usize, usize), u64> = HashMap::new();
    let mut singleton = predicted.len();
    let mut items = 0u64;
    for (t, c) in truth.iter().enumerate() {
        for m in c {
            let p = predicted_of.get(m.as_str()).copied().unwrap_or_else(|| {
                singleton += 1;
                singleton
            });
            *table.entry((t, p)).or_default() += 1;
            items += 1;
        }
    }
    let pairs = |n: u64| n * n.saturating_sub(1) / 2;
    let mut rows: HashMap<usize, u64> = HashMap::new();
    let mut cols: HashMap<usize, u64> = HashMap::new();
    let mut index = 0u64;
    for (&(t, p), &n) in &table {
        *rows.entry(t).or_default() += n;
        *cols.entry(p).or_default() += n;
        index += pairs(n);
    }
    let sum_rows: u64 = rows.values().map(|&n| pairs(n)).sum();
    let sum_cols: u64 = cols.values().map(|&n| pairs(n)).sum();
    let total = pairs(items);
    if total == 0 {
        return 1.0;
    }
    let expected = sum_rows as f64 * sum_cols as f64 / total as f64;
    let max = (sum_rows + sum_cols) as f64 / 2.0;
    if (max - expected).abs() < f64::EPSILON {
        return 1.0;
    }
    (index as f64 - expected) / (max - expected)
}

fn overlap((a, b): (usize, usize), (c, d): (usize, usize)) -> usize {
    b.min(d).saturating_sub(a.max(c))
}

/// Characters of `range` covered by the union of `others`.
fn covered(range: (usize, usize), others: &[(usize, usize)]) -> usize {
    let mut parts: Vec<(usize, usize)> = others
        .iter()
        .map(|&(s, e)| (s.max(range.0), e.min(range.1)))
        .filter(|(s, e)| e > s)
        .collect();
    parts.sort_unstable();
    let (mut total, mut reach) = (0, range.0);
    for (s, e) in parts {
        let s = s.max(reach);
        if e > s {
            total += e - s;
            reach = e;
        }
    }
    total
}

/// A character range `[start, end)`.
type Range = (usize, usize);

/// Detections by unordered pair, as (parent range, child range).
type DetectionsByPair = BTreeMap<(String, String), Vec<(Range, Range)>>;

/// Detections on labelled pairs, by pair, oriented as (parent range, child range) by the
/// pair's cases; and how many. Ordered maps keep the sums in one order, so figures do not
/// move in their last digit between runs.
fn oriented_detections(
    detections: &[PredictedPassage],
    cases_by_pair: &BTreeMap<(String, String), Vec<&TruthPassage>>,
    labelled: &BTreeSet<(String, String)>,
    map: &dyn Fn(&str) -> String,
) -> (DetectionsByPair, usize) {
    let mut dets_by_pair = DetectionsByPair::new();
    let mut detections_scored = 0usize;
    for d in detections {
        let (a, b) = (map(&d.a), map(&d.b));
        let pair = unordered(&a, &b);
        if !labelled.contains(&pair) {
            continue;
        }
        // Without a case on the pair, orient by the output's own order.
        let a_is_parent = cases_by_pair
            .get(&pair)
            .is_none_or(|on_pair| on_pair[0].parent == a);
        let oriented = if a_is_parent {
            (d.a_range, d.b_range)
        } else {
            (d.b_range, d.a_range)
        };
        dets_by_pair.entry(pair).or_default().push(oriented);
        detections_scored += 1;
    }
    (dets_by_pair, detections_scored)
}

fn score_passages(
    cases: &[TruthPassage],
    detections: &[PredictedPassage],
    labelled: &BTreeSet<(String, String)>,
    map: &dyn Fn(&str) -> String,
) -> PassageScores {
    let mut cases_by_pair: BTreeMap<(String, String), Vec<&TruthPassage>> = BTreeMap::new();
    for c in cases {
        cases_by_pair
            .entry(unordered(&c.parent, &c.child))
            .or_default()
            .push(c);
    }
    let (dets_by_pair, detections_scored) =
        oriented_detections(detections, &cases_by_pair, labelled, map);
    let size = |p: Range, c: Range| (p.1 - p.0.min(p.1)) + (c.1 - c.0.min(c.1));

    let mut recall_sum = 0.0;
    let mut detected_cases = 0usize;
    let mut detections_per_case = 0usize;
    for c in cases {
        let on_pair = dets_by_pair
            .get(&unordered(&c.parent, &c.child))
            .map_or(&[][..], Vec::as_slice);
        let hits: Vec<&(Range, Range)> = on_pair
            .iter()
            .filter(|(p, ch)| overlap(*p, c.parent_range) > 0 || overlap(*ch, c.child_range) > 0)
            .collect();
        let total = size(c.parent_range, c.child_range);
        if total > 0 {
            let p: Vec<Range> = hits.iter().map(|d| d.0).collect();
            let ch: Vec<Range> = hits.iter().map(|d| d.1).collect();
            recall_sum +=
                (covered(c.parent_range, &p) + covered(c.child_range, &ch)) as f64 / total as f64;
        }
        if !hits.is_empty() {
            detected_cases += 1;
            detections_per_case += hits.len();
        }
    }
    let mut precision_sum = 0.0;
    for (pair, dets) in &dets_by_pair {
        let on_pair = cases_by_pair.get(pair).map_or(&[][..], Vec::as_slice);
        let p: Vec<Range> = on_pair.iter().map(|c| c.parent_range).collect();
        let ch: Vec<Range> = on_pair.iter().map(|c| c.child_range).collect();
        for &(dp, dc) in dets {
            let total = size(dp, dc);
            if total > 0 {
                precision_sum += (covered(dp, &p) + covered(dc, &ch)) as f64 / total as f64;
            }
        }
    }
    let recall = ratio(recall_sum, cases.len());
    let precision = ratio(precision_sum, detections_scored);
    let granularity = if detected_cases == 0 {
        1.0
    } else {
        detections_per_case as f64 / detected_cases as f64
    };
    PassageScores {
        cases: cases.len(),
        detections: detections_scored,
        recall: round4(recall),
        precision: round4(precision),
        granularity: round4(granularity),
        plagdet: round4(f1(precision, recall) / (1.0 + granularity).log2()),
    }
}

/// Writes the evaluation as a table for people.
pub fn write_table(e: &Evaluation, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    writeln!(
        out,
        "{} output: {} predicted edges, {} on labelled pairs, {} on unlabelled pairs",
        e.command, e.predicted_edges, e.predicted_on_labelled, e.predicted_on_unlabelled
    )?;
    writeln!(
        out,
        "{:<32} {:>6} {:>9} {:>7} {:>7} {:>9} {:>7} {:>7} {:>9} {:>12}",
        "label", "truth", "undir P", "R", "F1", "dir P", "R", "F1", "dir acc", "undetermined"
    )?;
    let row = |name: &str, s: &EdgeScores, out: &mut dyn std::io::Write| {
        writeln!(
            out,
            "{:<32} {:>6} {:>9.3} {:>7.3} {:>7.3} {:>9.3} {:>7.3} {:>7.3} {:>9} {:>12.3}",
            name,
            s.truth_edges,
            s.undirected.precision,
            s.undirected.recall,
            s.undirected.f1,
            s.directed.precision,
            s.directed.recall,
            s.directed.f1,
            s.direction_accuracy
                .map_or("-".to_string(), |a| format!("{a:.3}")),
            s.undetermined_share
        )
    };
    row("all", &e.overall, out)?;
    for (label, s) in &e.by_label {
        row(
            if label.is_empty() {
                "(no label)"
            } else {
                label
            },
            s,
            out,
        )?;
    }
    if let Some(ari) = e.family_ari {
        writeln!(out, "family ARI: {ari:.3}")?;
    }
    if let Some(p) = &e.passages {
        writeln!(
            out,
            "passages: {} cases, {} detections; recall {:.3}, precision {:.3}, granularity {:.3}, plagdet {:.3}",
            p.cases, p.detections, p.recall, p.precision, p.granularity, p.plagdet
        )?;
    }
    for (label, p) in &e.passages_by_label {
        writeln!(
            out,
            "passages ({label}): {} cases, {} detections; recall {:.3}, precision {:.3}, granularity {:.3}, plagdet {:.3}",
            p.cases, p.detections, p.recall, p.precision, p.granularity, p.plagdet
        )?;
    }
    if e.inferred_nodes > 0 {
        writeln!(
            out,
            "inferred sources: {} in the output, {} matched to a truth node absent from the corpus",
            e.inferred_nodes,
            e.inferred_matches.len()
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn truth() -> Truth {
        Truth::from_value(&json!({
            "edges": [
                {"parent": "o", "child": "a", "label": "cut"},
                {"parent": "o", "child": "b", "label": "cut"},
                {"parent": "o", "child": "c", "label": "heavy"},
                {"parent": "o", "child": "d", "label": "heavy"}
            ],
            "negatives": [["o", "n"], ["a", "n"]],
            "clusters": [["o", "a", "b", "c", "d"], ["n"]]
        }))
        .unwrap()
    }

    fn lineage(edges: Value, families: Value) -> Prediction {
        Prediction::from_value(&json!({
            "command": "lineage", "nodes": [], "edges": edges, "families": families
        }))
        .unwrap()
    }

    #[test]
    fn edge_scores_by_hand() {
        // Found: o→a (right), b→o (wrong way), o–c undetermined; a→b unlabelled; o→n false.
        let p = lineage(
            json!([
                {"parent": "o", "child": "a"},
                {"parent": "b", "child": "o"},
                {"parent": "o", "child": "c", "directed": false},
                {"parent": "a", "child": "b"},
                {"parent": "o", "child": "n"}
            ]),
            json!([{"members": ["o", "a", "b", "c", "n"]}]),
        );
        let e = evaluate(&truth(), &p, None, EvalOptions::default());
        assert_eq!(e.predicted_edges, 5);
        assert_eq!(e.predicted_on_labelled, 4);
        assert_eq!(e.predicted_on_unlabelled, 1);
        // Undirected: tp 3, fp 1, fn 1 → P 0.75, R 0.75.
        assert_eq!(
            (e.overall.undirected.precision, e.overall.undirected.recall),
            (0.75, 0.75)
        );
        // Directed: tp 1 (o→a); fp 1 (negative) + 2 found without the right direction.
        assert_eq!(e.overall.directed.true_positives, 1);
        assert_eq!(e.overall.directed.precision, 0.25);
        assert_eq!(e.overall.directed.recall, 0.25);
        // Claimed directions on truth edges: o→a right, b→o wrong.
        assert_eq!(e.overall.direction_accuracy, Some(0.5));
        assert_eq!(e.overall.undetermined_share, round4(1.0 / 3.0));
        // Per label: cut has a and b found (1 right); heavy has c found (undetermined).
        let cut = &e.by_label["cut"];
        assert_eq!(cut.undirected.recall, 1.0);
        assert_eq!(cut.undirected.precision, round4(2.0 / 3.0));
        assert_eq!(cut.direction_accuracy, Some(0.5));
        let heavy = &e.by_label["heavy"];
        assert_eq!(heavy.undirected.recall, 0.5);
        assert_eq!(heavy.direction_accuracy, None);
        assert_eq!(heavy.undetermined_share, 1.0);
        // ARI: truth {o,a,b,c,d}{n}; predicted {o,a,b,c,n}{d alone}.
        // Contingency: (T1,P1)=4, (T1,Pd)=1, (T2,P1)=1 → index 6; rows 10+0; cols 10+0;
        // total 15; expected 10·10/15 = 6.667; max 10 → ARI = (6 − 6.667)/(10 − 6.667).
        assert_eq!(
            e.family_ari,
            Some(round4((6.0 - 20.0 / 3.0) / (10.0 - 20.0 / 3.0)))
        );
    }

    #[test]
    fn perfect_output_scores_one() {
        let p = lineage(
            json!([
                {"parent": "o", "child": "a"}, {"parent": "o", "child": "b"},
                {"parent": "o", "child": "c"}, {"parent": "o", "child": "d"}
            ]),
            json!([{"members": ["o", "a", "b", "c", "d"]}]),
        );
        let e = evaluate(&truth(), &p, None, EvalOptions::default());
        assert_eq!(e.overall.directed.f1, 1.0);
        assert_eq!(e.overall.undirected.f1, 1.0);
        assert_eq!(e.family_ari, Some(1.0));
    }

    #[test]
    fn inferred_nodes_stand_for_absent_sources() {
        // "o" is not in the corpus; the output infers "~src-1" with children a, b, c.
        let p = Prediction::from_value(&json!({
            "command": "lineage",
            "nodes": [{"id": "~src-1", "inferred": true}, {"id": "a"}, {"id": "b"}, {"id": "c"}],
            "edges": [
                {"parent": "~src-1", "child": "a"}, {"parent": "~src-1", "child": "b"},
                {"parent": "~src-1", "child": "c"}
            ],
            "families": []
        }))
        .unwrap();
        let corpus: BTreeSet<String> = ["a", "b", "c", "d", "n"].map(String::from).into();
        let e = evaluate(&truth(), &p, Some(&corpus), EvalOptions::default());
        assert_eq!(e.inferred_matches["~src-1"], "o");
        assert_eq!(e.overall.directed.true_positives, 3);
        assert_eq!(e.overall.directed.recall, 0.75);
    }

    #[test]
    fn passage_scores_by_hand() {
        let t = Truth::from_value(&json!({
            "edges": [{"parent": "s", "child": "x"}],
            "passages": [{"parent": "s", "child": "x", "parent_offset": 0, "parent_length": 100,
                          "child_offset": 50, "child_length": 100}]
        }))
        .unwrap();
        // Two detections (granularity 2): the first covers parent 0..50 / child 50..100,
        // the second parent 50..100 plus 20 characters outside / child 100..170 (20 outside).
        let p = Prediction::from_value(&json!({
            "command": "passages",
            "pairs": [{"a": "x", "b": "s", "passages": [
                {"a_start": 50, "a_end": 100, "b_start": 0, "b_end": 50},
                {"a_start": 100, "a_end": 170, "b_start": 50, "b_end": 120}
            ]}]
        }))
        .unwrap();
        let e = evaluate(&t, &p, None, EvalOptions::default());
        let s = e.passages.unwrap();
        // Recall: case 200 characters; covered parent 0..100 (100) + child 50..150 (100) → 1.
        assert_eq!(s.recall, 1.0);
        // Precision: first 100/100; second (50 + 50)/(70 + 70) → mean (1 + 0.7143)/2.
        assert_eq!(s.precision, round4((1.0 + 100.0 / 140.0) / 2.0));
        assert_eq!(s.granularity, 2.0);
        let f1 = 2.0 * s.precision * s.recall / (s.precision + s.recall);
        assert!((s.plagdet - f1 / 3f64.log2()).abs() < 1e-3);
    }

    #[test]
    fn malformed_truth_names_the_field() {
        let err = |v: Value| Truth::from_value(&v).unwrap_err();
        assert_eq!(err(json!({"negatives": []})), "no 'edges' list");
        assert_eq!(
            err(json!({"edges": [{"parent": "a"}]})),
            "edges[0].child: missing"
        );
        assert!(
            err(json!({"edges": [{"parent": "a", "child": "b"}, {"parent": "b", "child": "a"}]}))
                .starts_with("edges[1]: duplicate edge")
        );
        assert!(
            err(json!({"edges": [{"parent": "a", "child": "b"}], "negatives": [["b", "a"]]}))
                .contains("already labelled at edges[0]")
        );
        assert_eq!(
            err(
                json!({"edges": [], "passages": [{"parent": "a", "child": "b", "parent_offset": -1}]})
            ),
            "passages[0].parent_offset: not a whole number"
        );
    }
}
