//! A generator of synthetic syndicated news corpora with known truth, for tests, benches
//! and for checking wiretrace on a machine without real data.
//!
//! Wire services publish originals; outlets (each with its own header and footer
//! boilerplate) republish them verbatim, edited (substituted words, a dropped sentence),
//! truncated, as an excerpt inside an unrelated article of their own, or as a repost of
//! another outlet's repost; unrelated outlet articles are mixed in as distractors. Every
//! copy's true parent, kind and (for excerpts) character spans are recorded.
//!
//! The cases that make lineage hard are planted too, each with its truth: reposts that
//! carry the *same timestamp* as the wire story (feeds republish at once;
//! [`SynthConfig::same_time_percent`]), *unseen originals* — wire stories left out of the
//! corpus while their copies stay, as when a crawl covers outlets but not the wire
//! ([`SynthConfig::missing_originals_percent`]; the truth still names the absent
//! original, which an inferred source should stand for), reposts of reposts (chains),
//! undated copies, *rewritten* copies that share the story's content words but hardly
//! a run of words ([`SynthConfig::rewritten_percent`]), and *merged* copies — one outlet's
//! roundup of two wire stories, a child with two parents ([`SynthConfig::merged_percent`]).
//!
//! Text is made of pseudo-words from a large vocabulary mixed with frequent function
//! words, so unrelated articles share common words but almost never a run of them.
//! Everything is drawn from one seed: the same seed gives the same corpus on every machine.

use std::borrow::Cow;

use crate::corpus::{Document, DocumentRecord};
use crate::minhash::splitmix64;

/// Parameters of a synthetic corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SynthConfig {
    /// Random seed.
    pub seed: u64,
    /// Wire originals.
    pub originals: usize,
    /// Republishing outlets.
    pub outlets: usize,
    /// Unrelated outlet articles.
    pub distractors: usize,
    /// Percent of stories whose first (verbatim) repost has the wire story's timestamp.
    pub same_time_percent: u32,
    /// Percent of stories reposted two or more times whose wire original is left out of
    /// the corpus (the truth keeps its edges).
    pub missing_originals_percent: u32,
    /// Percent of stories whose copies drop the wire's credit (the dateline's `(Wire)`, an
    /// excerpt's `As Wire reported`).
    pub uncredited_percent: u32,
    /// Percent of stories that one more outlet *rewrites* within two days: sentences
    /// dropped and reordered, words swapped and replaced, its own headline — the wire's
    /// content words kept, hardly a run of five words (truth kind `rewritten`).
    pub rewritten_percent: u32,
    /// Percent of stories that one more outlet *merges* with the story before it into one
    /// article, a day or two after both: the first paragraphs of each under its own
    /// headline (two truth edges of kind `merged`, one from each wire story).
    pub merged_percent: u32,
}

impl Default for SynthConfig {
    fn default() -> Self {
        SynthConfig {
            seed: 1,
            originals: 60,
            outlets: 8,
            distractors: 100,
            same_time_percent: 25,
            missing_originals_percent: 0,
            uncredited_percent: 0,
            rewritten_percent: 0,
            merged_percent: 0,
        }
    }
}

/// A true parent → child relation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TruthEdge {
    /// Parent id.
    pub parent: String,
    /// Child id.
    pub child: String,
    /// `verbatim`, `edited`, `truncated`, `excerpt`, `repost-of-repost`, `rewritten` or
    /// `merged`.
    pub kind: &'static str,
    /// For excerpts: byte ranges of the quoted text in the parent and in the child.
    pub spans: Option<QuotedSpans>,
}

/// Byte ranges `(start, end)` of a quoted text in the parent and in the child.
pub type QuotedSpans = ((usize, usize), (usize, usize));

/// The corpus and its truth.
#[derive(Debug, Clone, Default)]
pub struct SynthCorpus {
    /// Documents in publication order of generation.
    pub documents: Vec<Document>,
    /// Every copy's true parent.
    pub truth: Vec<TruthEdge>,
    /// Ids of wire originals left out of the corpus (parents in `truth` only).
    pub missing: Vec<String>,
}

impl SynthCorpus {
    /// The truth in `wiretrace eval`'s format: every edge, labelled with its kind, and the
    /// stories as clusters (each original with all its copies).
    pub fn truth_json(&self) -> serde_json::Value {
        let edges: Vec<serde_json::Value> = self
            .truth
            .iter()
            .map(|e| serde_json::json!({"parent": e.parent, "child": e.child, "label": e.kind}))
            .collect();
        // Stories in order of first appearance; a merged copy joins its parents' stories.
        let mut clusters: Vec<Vec<String>> = Vec::new();
        let mut story_of: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for e in &self.truth {
            let story = match story_of.get(e.parent.as_str()) {
                Some(&s) => s,
                None => {
                    clusters.push(vec![e.parent.clone()]);
                    story_of.insert(&e.parent, clusters.len() - 1);
                    clusters.len() - 1
                }
            };
            match story_of.get(e.child.as_str()) {
                Some(&other) if other != story => {
                    let (keep, gone) = (story.min(other), story.max(other));
                    let members = std::mem::take(&mut clusters[gone]);
                    for m in &members {
                        if let Some(s) = story_of.get_mut(m.as_str()) {
                            *s = keep;
                        }
                    }
                    clusters[keep].extend(members);
                }
                Some(_) => {}
                None => {
                    clusters[story].push(e.child.clone());
                    story_of.insert(&e.child, story);
                }
            }
        }
        let present: std::collections::HashSet<&str> =
            self.documents.iter().map(|d| d.id.as_str()).collect();
        for c in &mut clusters {
            c.retain(|id| present.contains(id.as_str()));
        }
        clusters.retain(|c| c.len() > 1);
        serde_json::json!({
            "edges": edges,
            "clusters": clusters,
            "missing_originals": self.missing,
        })
    }
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        splitmix64(&mut self.0)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

const COMMON: [&str; 40] = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "on",
    "with",
    "as",
    "was",
    "by",
    "at",
    "it",
    "from",
    "said",
    "its",
    "has",
    "be",
    "are",
    "will",
    "an",
    "this",
    "which",
    "have",
    "not",
    "also",
    "more",
    "new",
    "market",
    "year",
    "government",
    "officials",
    "industry",
    "percent",
    "china",
    "would",
    "after",
];
const SYLLABLES: [&str; 20] = [
    "ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "be", "da", "fu", "go", "ha", "ji", "po", "ze",
    "ar", "en", "ol", "us",
];

fn word(rng: &mut Rng) -> String {
    if rng.chance(0.35) {
        return COMMON[rng.below(COMMON.len())].to_string();
    }
    let mut n = rng.below(40_000) + 20;
    let mut w = String::new();
    while n > 0 {
        w.push_str(SYLLABLES[n % SYLLABLES.len()]);
        n /= SYLLABLES.len();
    }
    w
}

fn sentence(rng: &mut Rng) -> String {
    let n = rng.range(12, 24);
    let mut words: Vec<String> = (0..n).map(|_| word(rng)).collect();
    if let Some(first) = words.first_mut() {
        let mut c = first.chars();
        if let Some(f) = c.next() {
            *first = f.to_uppercase().chain(c).collect();
        }
    }
    format!("{}.", words.join(" "))
}

fn paragraph(rng: &mut Rng) -> Vec<String> {
    (0..rng.range(2, 4)).map(|_| sentence(rng)).collect()
}

fn headline(rng: &mut Rng) -> String {
    let n = rng.range(5, 9);
    let words: Vec<String> = (0..n).map(|_| word(rng)).collect();
    let mut h = words.join(" ");
    if let Some(f) = h.get(..1) {
        h = f.to_uppercase() + &h[1..];
    }
    h
}

struct Outlet {
    name: String,
    header: String,
    footer: String,
}

fn outlet(i: usize) -> Outlet {
    let name = format!("Outlet{} Daily", (b'A' + (i % 26) as u8) as char);
    Outlet {
        header: format!("{name} | News\nHome > World > Business\n\n"),
        footer: format!(
            "\n\nSign up for the {name} newsletter\nFollow us on social media\nYou may also like\n"
        ),
        name,
    }
}

const WIRES: [(&str, &str); 3] = [
    ("Xinhua", "BEIJING"),
    ("Reuters", "LONDON"),
    ("AP Wire", "NEW YORK"),
];

/// A dated time `hours` after 2024-03-01T00:00:00Z, as ISO 8601.
fn date(hours: usize) -> String {
    let day = 1 + hours / 24;
    let month = 3 + (day - 1) / 28;
    let day = (day - 1) % 28 + 1;
    format!("2024-{month:02}-{day:02}T{:02}:00:00Z", hours % 24)
}

/// Joins paragraphs (each a list of sentences) into article text.
fn body(paragraphs: &[Vec<String>]) -> String {
    paragraphs
        .iter()
        .map(|p| p.join(" "))
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn substitute_words(rng: &mut Rng, paragraphs: &mut [Vec<String>], n: usize) {
    for _ in 0..n {
        let p = rng.below(paragraphs.len());
        let s = rng.below(paragraphs[p].len());
        let mut words: Vec<String> = paragraphs[p][s].split(' ').map(String::from).collect();
        // Keep the first and last word, so edits stay inside the text.
        if words.len() > 3 {
            let at = rng.range(1, words.len() - 2);
            words[at] = word(rng);
        }
        paragraphs[p][s] = words.join(" ");
    }
}

/// A newsroom's rewrite of a story: about one sentence in five dropped, the first two of
/// each paragraph swapped, and within each sentence adjacent words swapped and about one
/// in six replaced — the content words stay, runs of five words hardly ever do.
fn rewrite(rng: &mut Rng, paragraphs: &[Vec<String>]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for p in paragraphs {
        let mut kept: Vec<String> = Vec::new();
        for s in p {
            if rng.chance(0.2) && p.len() > 1 {
                continue;
            }
            let mut words: Vec<String> = s
                .trim_end_matches('.')
                .split(' ')
                .map(|w| w.to_lowercase())
                .collect();
            for pair in words.chunks_mut(2) {
                pair.reverse();
            }
            for w in words.iter_mut() {
                if rng.chance(0.17) {
                    *w = word(rng);
                }
            }
            let mut text = words.join(" ");
            if let Some(f) = text.get(..1) {
                text = f.to_uppercase() + &text[1..];
            }
            kept.push(format!("{text}."));
        }
        if kept.len() > 1 {
            kept.swap(0, 1);
        }
        if !kept.is_empty() {
            out.push(kept);
        }
    }
    out
}

/// Generates a corpus.
///
/// ```
/// use wiretrace::synth::{generate, SynthConfig};
/// let corpus = generate(&SynthConfig { originals: 5, outlets: 3, distractors: 4, seed: 7, ..SynthConfig::default() });
/// assert!(corpus.documents.len() > 9);
/// assert!(corpus.truth.iter().all(|t| corpus.documents.iter().any(|d| d.id == t.child)));
/// ```
pub fn generate(config: &SynthConfig) -> SynthCorpus {
    let mut rng = Rng(config.seed);
    let outlets: Vec<Outlet> = (0..config.outlets.max(1)).map(outlet).collect();
    let mut out = SynthCorpus::default();
    let mut copy_no = 0;
    let mut previous: Option<Story> = None;
    for o in 0..config.originals {
        let story = Story::new(&mut rng, o);
        let original_at = out.documents.len();
        out.documents.push(
            Document::new(&story.id, story.text.clone())
                .with_source(story.wire)
                .with_date(&date(story.hour)),
        );
        let story = story.credited(&mut rng, config);
        let copies = rng.range(2, 5);
        // Drawn for every story, so the rest of the corpus does not depend on the share.
        let missing = rng.chance(f64::from(config.missing_originals_percent.min(100)) / 100.0);
        let mut edited = None;
        for copy in 0..copies {
            copy_no += 1;
            let id = format!("copy-{copy_no:05}");
            let (doc, edge, edit) = story.copy(&mut rng, config, &outlets, copy, id);
            edited = edit.or(edited);
            out.documents.push(doc);
            out.truth.push(edge);
        }
        if let Some(edit) = edited.filter(|_| rng.chance(0.5)) {
            copy_no += 1;
            story.repost_of_repost(&mut rng, &outlets, edit, copy_no, &mut out);
        }
        // Drawn only when asked for, so corpora without rewrites are as they were.
        if config.rewritten_percent > 0
            && rng.chance(f64::from(config.rewritten_percent.min(100)) / 100.0)
        {
            copy_no += 1;
            story.rewritten(&mut rng, &outlets, copy_no, &mut out);
        }
        if config.merged_percent > 0
            && rng.chance(f64::from(config.merged_percent.min(100)) / 100.0)
            && let Some(before) = &previous
        {
            copy_no += 1;
            story.merged(before, &mut rng, &outlets, copy_no, &mut out);
        }
        if missing && config.missing_originals_percent > 0 {
            out.documents.remove(original_at);
            out.missing.push(story.id.clone());
        }
        previous = Some(story);
    }
    distractors(&mut rng, config, &outlets, &mut out);
    out
}

/// One wire story and how its copies quote it.
struct Story {
    wire: &'static str,
    id: String,
    title: String,
    paragraphs: Vec<Vec<String>>,
    /// The original's text (with its dateline credit).
    text: String,
    hour: usize,
    /// The line an excerpt puts before the quoted text.
    reported: String,
}

/// An edited copy, which a repost of a repost may take from: its id, paragraphs and hour.
type Edit = (String, Vec<Vec<String>>, usize);

impl Story {
    fn new(rng: &mut Rng, o: usize) -> Story {
        let (wire, city) = WIRES[o % WIRES.len()];
        let hour = rng.range(0, 24 * 50);
        let title = headline(rng);
        let mut paragraphs: Vec<Vec<String>> =
            (0..rng.range(5, 9)).map(|_| paragraph(rng)).collect();
        paragraphs[0][0] = format!("{city}, March ({wire}) -- {}", paragraphs[0][0]);
        let text = format!("{title}\n\n{}\n", body(&paragraphs));
        Story {
            wire,
            id: format!("wire-{o:04}"),
            title,
            paragraphs,
            text,
            hour,
            reported: format!("As {wire} reported:"),
        }
    }

    /// The story as its copies quote it: copies that drop the credit quote it without its
    /// dateline credit.
    fn credited(mut self, rng: &mut Rng, config: &SynthConfig) -> Story {
        let uncredited = config.uncredited_percent > 0
            && rng.chance(f64::from(config.uncredited_percent.min(100)) / 100.0);
        if uncredited {
            let wire = self.wire;
            self.paragraphs[0][0] =
                self.paragraphs[0][0].replacen(&format!(" ({wire}) --"), " --", 1);
            self.reported = "Earlier reports said:".to_string();
        }
        self
    }

    /// Copy number `copy` of the story (the first verbatim, the second edited, the others
    /// truncated, excerpted or edited), with its truth edge, and the edit when it is one.
    fn copy(
        &self,
        rng: &mut Rng,
        config: &SynthConfig,
        outlets: &[Outlet],
        copy: usize,
        id: String,
    ) -> (Document, TruthEdge, Option<Edit>) {
        let outlet = &outlets[rng.below(outlets.len())];
        let same_time =
            copy == 0 && rng.chance(f64::from(config.same_time_percent.min(100)) / 100.0);
        let lag = if same_time { 0 } else { rng.range(1, 72) };
        let dated = same_time || rng.chance(0.8);
        let kind = match copy {
            0 => "verbatim",
            1 => "edited",
            _ => ["truncated", "excerpt", "edited"][rng.below(3)],
        };
        let frame = |ps: &[Vec<String>]| {
            format!(
                "{}{}\n\n{}{}",
                outlet.header,
                self.title,
                body(ps),
                outlet.footer
            )
        };
        let mut edit = None;
        let (text, spans, kind, dated) = match kind {
            "verbatim" => (frame(&self.paragraphs), None, kind, dated),
            "edited" => {
                let mut ps = self.paragraphs.clone();
                let edits = rng.range(2, 4);
                substitute_words(rng, &mut ps, edits);
                let p = rng.range(1, ps.len() - 1);
                if ps[p].len() > 1 {
                    let s = rng.below(ps[p].len());
                    ps[p].remove(s);
                }
                let text = frame(&ps);
                edit = Some((id.clone(), ps, self.hour + lag));
                (text, None, kind, true)
            }
            "truncated" => {
                let keep = (self.paragraphs.len() * rng.range(40, 70) / 100).max(2);
                (frame(&self.paragraphs[..keep]), None, kind, dated)
            }
            _ => {
                let (text, spans) = self.excerpt(rng, outlet);
                (text, Some(spans), "excerpt", dated)
            }
        };
        let mut doc = Document::new(&id, text).with_source(&outlet.name);
        if dated {
            doc = doc.with_date(&date(self.hour + lag));
        }
        let edge = TruthEdge {
            parent: self.id.clone(),
            child: id,
            kind,
            spans,
        };
        (doc, edge, edit)
    }

    /// An outlet's own story quoting a paragraph or two of this one, and where the quoted
    /// text lies in the original and in the copy.
    fn excerpt(&self, rng: &mut Rng, outlet: &Outlet) -> (String, QuotedSpans) {
        let paragraphs = &self.paragraphs;
        let n = rng.range(1, 2).min(paragraphs.len() - 1);
        let from = rng.range(1, paragraphs.len() - n);
        let quoted = body(&paragraphs[from..from + n]);
        let own_before: Vec<Vec<String>> = (0..rng.range(2, 4)).map(|_| paragraph(rng)).collect();
        let own_after: Vec<Vec<String>> = (0..rng.range(2, 4)).map(|_| paragraph(rng)).collect();
        let prefix = format!(
            "{}{}\n\n{}\n\n{}\n\n",
            outlet.header,
            headline(rng),
            body(&own_before),
            self.reported
        );
        let text = format!("{prefix}{quoted}\n\n{}{}", body(&own_after), outlet.footer);
        let parent_start = self.text.find(&quoted).unwrap_or(0);
        let spans = (
            (parent_start, parent_start + quoted.len()),
            (prefix.len(), prefix.len() + quoted.len()),
        );
        (text, spans)
    }

    /// A copy of an edited copy, with one more word changed, a day or two later.
    fn repost_of_repost(
        &self,
        rng: &mut Rng,
        outlets: &[Outlet],
        (parent, mut ps, parent_hour): Edit,
        copy_no: usize,
        out: &mut SynthCorpus,
    ) {
        let outlet = &outlets[rng.below(outlets.len())];
        substitute_words(rng, &mut ps, 1);
        let id = format!("copy-{copy_no:05}");
        let text = format!(
            "{}{}\n\n{}{}",
            outlet.header,
            self.title,
            body(&ps),
            outlet.footer
        );
        out.documents.push(
            Document::new(&id, text)
                .with_source(&outlet.name)
                .with_date(&date(parent_hour + rng.range(1, 48))),
        );
        out.truth.push(TruthEdge {
            parent,
            child: id,
            kind: "repost-of-repost",
            spans: None,
        });
    }

    /// An outlet's roundup of `before` and this story: the first paragraphs of each (two or
    /// more, not all of the first) under its own headline, a day or two after both.
    fn merged(
        &self,
        before: &Story,
        rng: &mut Rng,
        outlets: &[Outlet],
        copy_no: usize,
        out: &mut SynthCorpus,
    ) {
        let outlet = &outlets[rng.below(outlets.len())];
        let id = format!("copy-{copy_no:05}");
        let first = rng.range(2, before.paragraphs.len() - 1);
        let second = rng.range(2, self.paragraphs.len());
        let text = format!(
            "{}{}\n\n{}\n\n{}{}",
            outlet.header,
            headline(rng),
            body(&before.paragraphs[..first]),
            body(&self.paragraphs[..second]),
            outlet.footer
        );
        let hour = before.hour.max(self.hour) + rng.range(24, 48);
        out.documents.push(
            Document::new(&id, text)
                .with_source(&outlet.name)
                .with_date(&date(hour)),
        );
        for parent in [&before.id, &self.id] {
            out.truth.push(TruthEdge {
                parent: parent.clone(),
                child: id.clone(),
                kind: "merged",
                spans: None,
            });
        }
    }

    /// Another outlet's rewrite of the story: reordered, reworded and shortened.
    fn rewritten(&self, rng: &mut Rng, outlets: &[Outlet], copy_no: usize, out: &mut SynthCorpus) {
        let outlet = &outlets[rng.below(outlets.len())];
        let id = format!("copy-{copy_no:05}");
        let text = format!(
            "{}{}\n\n{}{}",
            outlet.header,
            headline(rng),
            body(&rewrite(rng, &self.paragraphs)),
            outlet.footer
        );
        out.documents.push(
            Document::new(&id, text)
                .with_source(&outlet.name)
                .with_date(&date(self.hour + rng.range(2, 40))),
        );
        out.truth.push(TruthEdge {
            parent: self.id.clone(),
            child: id,
            kind: "rewritten",
            spans: None,
        });
    }
}

/// Unrelated stories from the outlets, which share common words but no passage.
fn distractors(rng: &mut Rng, config: &SynthConfig, outlets: &[Outlet], out: &mut SynthCorpus) {
    for d in 0..config.distractors {
        let outlet = &outlets[rng.below(outlets.len())];
        let paragraphs: Vec<Vec<String>> = (0..rng.range(4, 8)).map(|_| paragraph(rng)).collect();
        let text = format!(
            "{}{}\n\n{}{}",
            outlet.header,
            headline(rng),
            body(&paragraphs),
            outlet.footer
        );
        out.documents.push(
            Document::new(format!("other-{d:04}"), text)
                .with_source(&outlet.name)
                .with_date(&date(rng.range(0, 24 * 50))),
        );
    }
}

/// The corpus as JSON Lines ([`DocumentRecord`]s: `id`, `text`, `source`, `date` when
/// dated), one document per line.
pub fn to_jsonl(corpus: &SynthCorpus) -> String {
    let mut out = String::new();
    for d in &corpus.documents {
        let record = DocumentRecord::of(d);
        out.push_str(&serde_json::to_string(&record).expect("records serialise"));
        out.push('\n');
    }
    out
}

/// Writes a large synthetic news corpus as JSON Lines, streaming: `documents` articles of
/// about 2.4 KB each (headline and five to eight paragraphs), from twenty outlets, of which
/// about 5 % are reposts of a recent article with zero to three words changed and another
/// outlet's header. Each repost's `(original id, repost id)` goes to `truth` when given.
/// Memory stays flat: only the last 2,000 originals are kept to be reposted.
pub fn write_news_corpus(
    documents: usize,
    seed: u64,
    out: &mut dyn std::io::Write,
    mut truth: Option<&mut dyn std::io::Write>,
) -> std::io::Result<()> {
    const RECENT: usize = 2000;
    let mut rng = Rng(seed);
    let outlets: Vec<Outlet> = (0..20).map(outlet).collect();
    let mut recent: std::collections::VecDeque<(String, String, Vec<Vec<String>>)> =
        std::collections::VecDeque::with_capacity(RECENT);
    for i in 0..documents {
        let id = format!("news-{i:07}");
        let o = &outlets[rng.below(outlets.len())];
        let hour = i / 100;
        let (title, paragraphs) = if !recent.is_empty() && rng.chance(0.05) {
            let (orig_id, title, mut ps) = recent[rng.below(recent.len())].clone();
            let edits = rng.range(0, 3);
            substitute_words(&mut rng, &mut ps, edits);
            if let Some(t) = truth.as_deref_mut() {
                writeln!(t, "{orig_id}\t{id}")?;
            }
            (title, ps)
        } else {
            let title = headline(&mut rng);
            let ps: Vec<Vec<String>> = (0..rng.range(5, 8)).map(|_| paragraph(&mut rng)).collect();
            if recent.len() == RECENT {
                recent.pop_front();
            }
            recent.push_back((id.clone(), title.clone(), ps.clone()));
            (title, ps)
        };
        let text = format!("{}{title}\n\n{}{}", o.header, body(&paragraphs), o.footer);
        let record = DocumentRecord {
            source: Some(Cow::Borrowed(&o.name)),
            date: Some(Cow::Owned(date(hour % (24 * 28 * 9)))),
            title: Some(Cow::Borrowed(&title)),
            ..DocumentRecord::new(&id, &text)
        };
        serde_json::to_writer(&mut *out, &record)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
