//! The passage-level pipeline: documents → boilerplate masks → passage candidates →
//! aligned passages → reuse or formula ([`crate::formula`]) → rewritten pairs among the
//! rest ([`crate::paraphrase`]) → lineage graph.
//!
//! Whole-document near-duplicates are found first ([`crate::dups`]); with the pairs where
//! one document holds most of the other's fingerprints, their families tell boilerplate
//! detection which documents are copies of one another, and their verified
//! pairs join the passage candidates, so a copy too common for the fingerprint index
//! (over its document-frequency cap) is still aligned. Every stage is a pure function of
//! its batch and the [`TraceConfig`].
//!
//! What is held for the whole corpus is each document's record, its passage fingerprints
//! and what the stages find; its text is held too, or, when the commands read a corpus
//! larger than [`SpillOptions::held_bytes`], read back from a temporary file as stages
//! need it ([`crate::corpus::Text`]). A document's tokens (24 bytes a word, more than its
//! text) are made again from the text whenever a stage reads them — learning boilerplate,
//! fingerprinting, aligning a pair — and dropped after: tokenising costs less than
//! aligning, and it halves the passage level's peak memory. Its content k-grams (8 bytes a
//! word) are counted by story for the stock phrases as they are made, within a memory
//! bound ([`crate::recurring`], the rest in temporary files: [`SpillOptions`]), and made
//! again as a set only for the documents in a candidate pair, on which pairs are measured
//! and lineage weighs a third document. The content fingerprints go to an index within the
//! same bound as they are made ([`FingerprintPostings`]), not held per document.

use std::borrow::Cow;
use std::path::PathBuf;

use petgraph::unionfind::UnionFind;
use rayon::prelude::*;

use crate::boilerplate::{self, Boilerplate, BoilerplateConfig};
use crate::corpus::{Corpus, MAPPED_RESIDENT};
use crate::corpus::{Document, Origin};
use crate::dups::{DupsConfig, DupsReport, Flow, StreamOptions, no_token_skips, stream_documents};
use crate::error::Result;
use crate::formula::{self, Frames, Side, StockPhrases, TemplateSpan};
use crate::lineage::{self, ContentStats, Lineage, LineageConfig, PairEvidence};
use crate::normalize::{Token, tokenize};
use crate::paraphrase::{ParaphraseConfig, Rewrites};
use crate::passage::{self, FingerprintPostings, PassageConfig, SharedSpan};
use crate::recurring::{Partitioned, RecurringKgrams};
use crate::shingle::{ShingleSet, headline_kgrams, word_shingles};
use crate::verify::exact_similarity;

/// Parameters of the passage-level pipeline.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceConfig {
    /// Whole-document near-duplicate stage.
    pub dups: DupsConfig,
    /// Passage candidates and alignment.
    pub passage: PassageConfig,
    /// Boilerplate detection.
    pub boilerplate: BoilerplateConfig,
    /// The paraphrase path for rewritten copy (`None`: verbatim passages only).
    pub paraphrase: Option<ParaphraseConfig>,
}

/// The passage-level parameters as a user gives them (the CLI's options, the Python
/// package's keyword arguments); [`TraceConfig::from_options`] makes the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassageOptions {
    /// Least length of a shared passage, in words, in both documents.
    pub min_words: usize,
    /// Largest gap bridged inside one passage, in words.
    pub max_gap: usize,
    /// Word k-grams used to find and align passages.
    pub passage_k: usize,
    /// Fingerprints in more documents than this find no candidates.
    pub max_df: usize,
    /// Unrelated documents that make a line boilerplate (and a 5-gram a stock phrase).
    pub boilerplate_min_docs: usize,
    /// Whether the paraphrase path looks for rewritten copy.
    pub paraphrase: bool,
    /// Dated documents more days apart are not compared as rewrites (0: any distance).
    pub paraphrase_window_days: u32,
    /// Whether the paraphrase path also looks for summaries of a whole story inside a longer
    /// text ([`ParaphraseConfig::summaries`]; needs `paraphrase`).
    pub summaries: bool,
}

impl TraceConfig {
    /// The configuration of a passage-level run, checked ([`TraceConfig::validate`]): a
    /// passage is at least `passage_k` words long whatever `min_words` says.
    pub fn from_options(dups: DupsConfig, o: &PassageOptions) -> Result<TraceConfig> {
        if o.summaries && !o.paraphrase {
            return Err(crate::Error::Config(
                "`summaries` are found by the paraphrase path: give `paraphrase` on with it".into(),
            ));
        }
        let min_words = o.min_words.max(o.passage_k);
        let mut config = TraceConfig {
            dups,
            passage: PassageConfig {
                k: o.passage_k,
                min_words: o.min_words,
                max_gap: o.max_gap,
                max_df: o.max_df,
                ..PassageConfig::default()
            },
            boilerplate: BoilerplateConfig {
                min_docs: o.boilerplate_min_docs,
                ..BoilerplateConfig::default()
            },
            paraphrase: o.paraphrase.then(|| ParaphraseConfig {
                min_words,
                window_seconds: (o.paraphrase_window_days > 0)
                    .then(|| i64::from(o.paraphrase_window_days) * 86_400),
                summaries: o.summaries,
                ..ParaphraseConfig::default()
            }),
        };
        config.validate()?;
        config.passage.min_words = min_words;
        Ok(config)
    }

    /// Checks the passage-level parameters (and, through [`DupsConfig::resolve_lsh`], the
    /// document-level ones), naming each as the library does: `passage.k` between 1 and 64,
    /// `passage.min_words` at least 1, `passage.max_df` and `boilerplate.min_docs` at least 2.
    pub fn validate(&self) -> Result<()> {
        let p = &self.passage;
        if p.min_words == 0 || p.k == 0 || p.k > 64 {
            return Err(crate::Error::Config(format!(
                "min_words must be at least 1 and passage_k between 1 and 64 (got {} and {})",
                p.min_words, p.k
            )));
        }
        if p.max_df < 2 || self.boilerplate.min_docs < 2 {
            return Err(crate::Error::Config(format!(
                "max_df and boilerplate_min_docs must be at least 2 (got {} and {})",
                p.max_df, self.boilerplate.min_docs
            )));
        }
        self.dups.resolve_lsh().map(|_| ())
    }
}

impl Default for TraceConfig {
    fn default() -> Self {
        TraceConfig {
            dups: DupsConfig::default(),
            passage: PassageConfig::default(),
            boilerplate: BoilerplateConfig::default(),
            paraphrase: Some(ParaphraseConfig::default()),
        }
    }
}

/// Everything the passage-level pipeline found.
#[derive(Debug, Clone)]
pub struct Trace {
    /// The whole-document stage's report.
    pub dups: DupsReport,
    /// Boilerplate masks and templates.
    pub boilerplate: Boilerplate,
    /// Pairs that share at least one passage, sorted by (a, b).
    pub pairs: Vec<PairEvidence>,
    /// Candidate pairs aligned.
    pub candidates: usize,
    /// Fingerprints dropped by the document-frequency cap.
    pub capped_fingerprints: usize,
    /// Content statistics per document.
    pub content: Vec<ContentStats>,
    /// The least passage length used, in words.
    pub min_words: usize,
    /// Sorted content k-gram hashes per document (boilerplate removed), on which the pairs
    /// were measured, and for the documents in [`Trace::headlined`] those of their
    /// headline; lineage tests shared text against a third document with them. Made for
    /// the documents of the candidate pairs, verbatim and paraphrase (so for every document
    /// in [`Trace::pairs`]); empty for the others.
    pub shingles: Vec<ShingleSet>,
    /// Documents in pairs whose headline is held apart from their text, sorted: their sets
    /// also hold the headline's k-grams ([`headline_kgrams`]), added after the pairs were
    /// measured on the text alone.
    pub headlined: Vec<u32>,
    /// k-grams found to be stock phrases of the corpus.
    pub stock_phrases: usize,
    /// Template passages grouped by the formula they share.
    pub frames: Frames,
    /// Candidate pairs of the paraphrase path aligned sentence by sentence.
    pub paraphrase_candidates: usize,
}

impl Trace {
    /// Passages judged formulas (`quotes == false`: templates and stock phrases) or shared
    /// quotes (`quotes == true`), over all pairs.
    pub fn judged_passages(&self, quotes: bool) -> usize {
        self.pairs
            .iter()
            .flat_map(|p| &p.templates)
            .filter(|t| (t.reason == formula::TemplateReason::Quote) == quotes)
            .count()
    }

    /// Builds the lineage graph from this trace.
    pub fn lineage(&self, docs: &[Document]) -> Lineage {
        let config = LineageConfig {
            min_words: self.min_words,
            ..LineageConfig::default()
        };
        let pairs = self.measured_with_headlines();
        lineage::build(docs, &pairs, &self.content, &self.shingles, &config)
    }

    /// The pairs, those of a [`Trace::headlined`] document measured again on the sets with
    /// the headlines: lineage weighs a pair's shared k-grams against a third document's
    /// set, so both count on the same sets.
    fn measured_with_headlines(&self) -> Cow<'_, [PairEvidence]> {
        if self.headlined.is_empty() {
            return Cow::Borrowed(&self.pairs);
        }
        let headlined = |d: u32| self.headlined.binary_search(&d).is_ok();
        let mut pairs = self.pairs.clone();
        for e in pairs
            .iter_mut()
            .filter(|e| headlined(e.a) || headlined(e.b))
        {
            measure(e, &self.shingles);
        }
        Cow::Owned(pairs)
    }
}

/// Share of the smaller document's fingerprints two documents must have in common to count
/// as related (one story) when boilerplate is detected.
const RELATED_SHARE: f64 = 0.5;

/// Groups documents that tell one story: near-duplicate families, joined with pairs where
/// one holds most of the other (a truncated copy is not a near-duplicate of the full text,
/// but its header and headline are no template). Returns a family id per document.
/// The whole texts' fingerprints go to an index within the spill's bound as they are made,
/// a block of documents at a time; only their numbers are kept.
fn related_families(
    docs: &[Document],
    dups: &DupsReport,
    pc: &PassageConfig,
    mut postings: FingerprintPostings,
) -> std::io::Result<Vec<u32>> {
    let mut counts: Vec<u32> = Vec::with_capacity(docs.len());
    for block in (0..docs.len()).step_by(MEASURE_BLOCK) {
        let fps: Vec<Vec<u64>> = docs[block..docs.len().min(block + MEASURE_BLOCK)]
            .par_iter()
            .map(|d| passage::fingerprints(&tokenize(&d.text), pc))
            .collect();
        for (i, f) in (block as u32..).zip(&fps) {
            postings.push(i, f)?;
            counts.push(f.len() as u32);
        }
    }
    let (shared, _) = postings.shared(pc.max_df, pc.min_shared_fingerprints)?;
    let mut uf = UnionFind::<u32>::new(docs.len());
    for (a, b, n) in shared {
        let smaller = counts[a as usize].min(counts[b as usize]);
        if n as f64 >= RELATED_SHARE * smaller as f64 {
            uf.union(a, b);
        }
    }
    for p in &dups.pairs {
        uf.union(p.a, p.b);
    }
    Ok(uf.into_labeling())
}

/// The passage level's peak resident memory, modelled from what it holds: the texts held
/// in memory (kept to the end) or, for texts moved to a file ([`crate::corpus::TextMover`]),
/// the pages of it that stages read between two releases ([`MAPPED_RESIDENT`] at most);
/// at the peak, a quarter of the text again for one stage's working set (the blocks of
/// documents a stage reads at a time, what it makes of them, and the pairs; the
/// signatures, fingerprints and line counts that grew with the corpus are put aside within
/// the spill's bound since 2026-12-03); per document, its record and the entries every
/// stage keeps for it ([`BYTES_PER_DOCUMENT`]); the k-gram counts held before they spill
/// (up to [`SpillOptions::held_bytes`], about 12 bytes a word, so never more than twice
/// the text); and the process itself (code, thread stacks, tables filled once).
///
/// Measured peaks under `--memory-limit` (so freed pages go back at once), `lineage`,
/// 2026-12-03, against this model (texts above 128 MiB are moved to a file):
///
/// | corpus | text | documents | peak | model |
/// |---|---|---|---|---|
/// | Clough & Stevenson | 0.13 MB | 100 | 18 MiB | 41 MiB |
/// | COUNTER | 1.1 MB | 600 | 25 MiB | 44 MiB |
/// | Reuters-21578 | 16.2 MB | 19,779 | 104 MiB | 119 MiB |
/// | `synth`, 50,000 articles | 137 MB | 50,000 | 201 MiB | 306 MiB |
/// | `synth`, 300,000 | 826 MB | 300,000 | 0.48 GiB | 0.82 GiB |
/// | `synth`, 1,000,000 | 2.75 GB | 1,000,000 | 1.23 GiB | 2.27 GiB |
///
/// Pairs are not modelled: a corpus whose documents nearly all copy one story, each
/// changed a little, pairs each with many (3,000 such copies: 108 MiB against 59 MiB
/// modelled; 20,000 identical copies, one family and few pairs, 87 MiB against 94 MiB).
/// The counting allocator stops such a run cleanly when it reaches the limit.
pub fn memory_model(texts: TextBytes, documents: u64, held_bytes: u64) -> u64 {
    let text_bytes = texts.held + texts.moved;
    let working = text_bytes / 4;
    let per_document = documents.saturating_mul(BYTES_PER_DOCUMENT);
    let counts = held_bytes.min(text_bytes.saturating_mul(2));
    texts
        .held
        .saturating_add(texts.moved.min(MAPPED_RESIDENT))
        .saturating_add(working)
        .saturating_add(per_document)
        .saturating_add(counts)
        .saturating_add(PROCESS_BYTES)
}

/// Bytes of text a run holds in memory and bytes it reads from a file ([`memory_model`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TextBytes {
    /// Texts held in memory.
    pub held: u64,
    /// Texts moved to a file and read back ([`crate::corpus::Text::is_mapped`]).
    pub moved: u64,
}

impl TextBytes {
    /// The texts of `docs` (and the raw records kept for `dedup`), as they are held.
    pub fn of(docs: &[Document]) -> TextBytes {
        let mut bytes = TextBytes::default();
        for t in docs
            .iter()
            .flat_map(|d| std::iter::once(&d.text).chain(&d.raw))
        {
            if t.is_mapped() {
                bytes.moved += t.len() as u64;
            } else {
                bytes.held += t.len() as u64;
            }
        }
        bytes
    }

    /// `text` bytes read as the passage-level commands read them: held when no more than
    /// `held_bytes`, else all moved to a file ([`crate::corpus::read_inputs_moving_texts`]).
    pub fn read(text: u64, held_bytes: u64) -> TextBytes {
        if text > held_bytes {
            TextBytes {
                held: 0,
                moved: text,
            }
        } else {
            TextBytes {
                held: text,
                moved: 0,
            }
        }
    }
}

/// Bytes per document besides its text in [`memory_model`]: its record (id, metadata,
/// origin), its band keys and whole-document entries, what the content pass keeps of it
/// (its length, figures and names), its node in the graph.
pub const BYTES_PER_DOCUMENT: u64 = 1536;

/// The process besides its heap, and what the heap holds however small the corpus, in
/// [`memory_model`]: code, thread stacks, the tokeniser's table of the Basic Multilingual
/// Plane, the spill files' first chunks (Clough's 100 answers peak at 18 MiB), with room
/// for the heap's peak to vary from run to run.
pub const PROCESS_BYTES: u64 = 40 << 20;

/// The limit a run needs for [`memory_model`]'s peak: the counting allocator keeps 12 % of
/// the limit back for what the heap count does not see (allocator bookkeeping and
/// fragmentation), besides what the process holds outside the heap ([`PROCESS_BYTES`]
/// counts it), so the limit must be the model and a seventh more.
pub fn limit_needed(texts: TextBytes, documents: u64, held_bytes: u64) -> u64 {
    memory_model(texts, documents, held_bytes).saturating_mul(8) / 7
}

/// Checks `--memory-limit` against the passage level's [`memory_model`] before the work
/// starts: an error ([`crate::Error::MemoryLimit`]) when the run would need more than
/// `limit` bytes, rather than a stop when the allocator refuses half-way. The k-gram
/// counts are held up to an eighth of the limit ([`SpillOptions::new`]), as the run will.
pub fn check_memory(docs: &[Document], limit: u64) -> Result<()> {
    let texts = TextBytes::of(docs);
    let text = texts.held + texts.moved;
    let held = SpillOptions::new(None, Some(limit)).held() as u64;
    let needed = limit_needed(texts, docs.len() as u64, held);
    if needed > limit {
        return Err(crate::Error::MemoryLimit {
            limit,
            needed,
            what: format!(
                "the passage level keeps every document's record and working set in memory; \
                 {} documents with {} bytes of text ({} of them read back from a file)",
                docs.len(),
                text,
                texts.moved
            ),
            hint: ", or run `dups`, which streams".into(),
        });
    }
    Ok(())
}

/// Runs the passage-level pipeline over a corpus.
pub fn find_passages(docs: &[Document], config: &TraceConfig) -> Result<Trace> {
    find_passages_to(docs, config, &mut ())
}

/// Where the passage stage's pairs go as soon as they are final: the caller implements it,
/// and a sink that answers [`Flow::Stop`] ends the run early (the shape of
/// [`crate::dups::PairSink`]). A pair is final once every candidate pair has been aligned
/// and its formula passages grouped into frames (a frame is known only from all the
/// pairs): the verbatim pairs go to the sink then, in `(a, b)` order, before the
/// paraphrase path runs; the rewritten pairs it finds follow, in `(a, b)` order. The JSON
/// Lines output of `passages` writes each pair line from here.
pub trait PassageSink {
    /// One pair sharing passages; its indices point into `docs`.
    fn pair(&mut self, docs: &[Document], pair: &PairEvidence) -> Result<Flow>;
}

/// The sink that takes nothing: the pairs are only in the [`Trace`].
impl PassageSink for () {
    fn pair(&mut self, _: &[Document], _: &PairEvidence) -> Result<Flow> {
        Ok(Flow::Continue)
    }
}

/// Pushes `pairs` to `sink` in order; how many it took when it answered stop (the pair it
/// stopped on included), `None` when it took them all.
fn push_pairs(
    docs: &[Document],
    pairs: &[PairEvidence],
    sink: &mut dyn PassageSink,
) -> Result<Option<usize>> {
    for (i, p) in pairs.iter().enumerate() {
        if sink.pair(docs, p)? == Flow::Stop {
            return Ok(Some(i + 1));
        }
    }
    Ok(None)
}

/// Where the passage level puts what it does not hold in memory, and how much it holds.
///
/// Counting which k-grams recur across stories ([`crate::recurring`]) needs every
/// document's k-grams: the counter holds `held_bytes` of them and moves the rest to
/// anonymous temporary files in `dir`, which are gone when the run ends, however it ends.
/// The fingerprint indexes (of the whole texts, for boilerplate learning, and of the
/// content, for the candidate pairs: [`FingerprintPostings`]) hold a 32nd of the bound
/// each and move the rest to the same folder. The commands that read a corpus for the
/// passage level hold its texts up to the same bound and move them past it
/// ([`crate::corpus::read_inputs_moving_texts`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpillOptions {
    /// Folder for the temporary files (default: the system's temporary folder).
    pub dir: Option<PathBuf>,
    /// Bytes of k-gram counts (and, read by the commands, of texts) held in memory before
    /// they go to the files (default [`HELD_BYTES`]).
    pub held_bytes: Option<usize>,
}

/// Bytes of k-gram counts the passage level holds in memory by default (12 bytes a word of
/// content; Reuters-21578 needs 31 MB, a 50,000-article `synth` corpus 212 MB).
pub const HELD_BYTES: usize = 128 << 20;

impl SpillOptions {
    /// Spilling into `dir` (or the system's temporary folder), holding at most an eighth
    /// of `memory_limit` (when given) in memory.
    pub fn new(dir: Option<PathBuf>, memory_limit: Option<u64>) -> Self {
        SpillOptions {
            dir,
            held_bytes: memory_limit
                .map(|l| usize::try_from(l / 8).unwrap_or(usize::MAX).min(HELD_BYTES)),
        }
    }

    /// Bytes held in memory before the rest goes to files: [`SpillOptions::held_bytes`]
    /// or [`HELD_BYTES`].
    pub fn held(&self) -> usize {
        self.held_bytes.unwrap_or(HELD_BYTES)
    }

    /// The folder the temporary files go to.
    pub fn dir(&self) -> PathBuf {
        self.dir.clone().unwrap_or_else(std::env::temp_dir)
    }
}

/// [`find_passages`], pushing every pair to `sink` as soon as it is final (see
/// [`PassageSink`]). When the sink stops the run, the paraphrase path does not run (or
/// stops pushing) and the trace holds the pairs pushed until then.
pub fn find_passages_to(
    docs: &[Document],
    config: &TraceConfig,
    sink: &mut dyn PassageSink,
) -> Result<Trace> {
    find_passages_with(docs, config, &SpillOptions::default(), sink)
}

/// Documents measured at a time in the content pass: their k-grams are counted (and the
/// block's dropped) before the next block is measured.
const MEASURE_BLOCK: usize = 4096;

/// [`find_passages_to`], with the temporary files and the memory they stand in for as
/// `spill` says. A folder that cannot hold them, or a disk that fills up, is an
/// [`crate::Error::Output`] naming the folder.
pub fn find_passages_with(
    docs: &[Document],
    config: &TraceConfig,
    spill: &SpillOptions,
    sink: &mut dyn PassageSink,
) -> Result<Trace> {
    let spill_dir = spill.dir();
    let spill_err = |source| crate::Error::Output {
        path: spill_dir.clone(),
        source,
    };
    let mut recurring = RecurringKgrams::new(&spill_dir, spill.held()).map_err(spill_err)?;
    let mut postings =
        FingerprintPostings::new(&spill_dir, spill.held() / POSTINGS_SHARE).map_err(spill_err)?;
    let dups = bounded_duplicates(docs, &config.dups, spill)?;
    let whole_texts =
        FingerprintPostings::new(&spill_dir, spill.held() / POSTINGS_SHARE).map_err(spill_err)?;
    let (boilerplate, family) =
        learn_boilerplate(docs, &dups, config, whole_texts, spill).map_err(spill_err)?;
    let content = Content {
        docs,
        boilerplate: &boilerplate,
    };
    let pc = &config.passage;
    // One pass over the content, a block of documents at a time: each document's length,
    // its fingerprints (indexed for the candidate pairs, within the spill's bound) and its
    // k-grams, counted by story for the stock phrases and then dropped: pairs are measured
    // on the k-gram sets of the documents in them, made again once the pairs are known.
    // The k-grams by position, as passages are judged on them, are made again for each
    // pair aligned, as the content tokens are: alignment reads them anyway.
    // The k-grams of a headline held apart from the text are made here too, but kept
    // apart: lineage reads them with the text (`with_headlines`), the pair measures do not.
    let mut stats = Vec::with_capacity(docs.len());
    let mut headlines: Vec<(u32, Vec<u64>)> = Vec::new();
    let mut specifics = Vec::with_capacity(docs.len());
    let mut figure_kgrams = Vec::with_capacity(docs.len());
    let mut usages = Vec::with_capacity(docs.len());
    for block in (0..docs.len()).step_by(MEASURE_BLOCK) {
        let measured: Vec<Measured> = (block..docs.len().min(block + MEASURE_BLOCK))
            .into_par_iter()
            .map(|i| measure_content(&content, i, pc))
            .collect();
        for (i, m) in (block as u32..).zip(measured) {
            recurring
                .push(family[i as usize], &m.set)
                .map_err(spill_err)?;
            usages.push(m.usages);
            stats.push(m.stats);
            postings.push(i, &m.fingerprints).map_err(spill_err)?;
            specifics.push(m.specifics);
            figure_kgrams.push(m.figure_kgrams);
            if !m.headline.is_empty() {
                headlines.push((i, m.headline));
            }
        }
    }
    let (candidates, lsh_pairs, capped_fingerprints) =
        candidate_pairs(postings, &dups, pc).map_err(spill_err)?;
    let stock = StockPhrases::counted(recurring, config.boilerplate.min_docs)
        .map_err(spill_err)?
        .with_frames(&figure_kgrams, &specifics, &family);
    drop(figure_kgrams);
    // What relates two documents: their specifics, less the names each has in a slot of
    // a formula (a lead manager, a rating agency: `formula::MenuNames`).
    let menu = formula::MenuNames::learn(&usages, &family, config.boilerplate.min_docs);
    let specifics: Vec<ShingleSet> = specifics
        .par_iter()
        .zip(&usages)
        .map(|(s, u)| menu.relating(s, u))
        .collect();
    drop(usages);
    let mut sets = KgramSets::new(docs.len());
    sets.make(&content, pc.k, candidates.iter().flat_map(|&(a, b)| [a, b]));
    let aligner = Aligner {
        content: &content,
        sets: &sets.sets,
        stock: &stock,
        specifics: &specifics,
        lsh_pairs: &lsh_pairs,
        config: pc,
    };
    let aligned = aligner.align_all(&candidates);
    let (frames, mut pairs) = number_frames(aligned, &dups, docs.len());
    let stopped = push_pairs(docs, &pairs, sink)?;
    if let Some(taken) = stopped {
        pairs.truncate(taken);
    }
    let mut paraphrase_candidates = 0;
    if let (Some(config), None) = (&config.paraphrase, stopped) {
        let (mut rewritten, aligned) = rewritten_pairs(&content, &mut sets, &pairs, config, pc.k);
        paraphrase_candidates = aligned;
        rewritten.sort_by_key(|e| (e.a, e.b));
        if let Some(taken) = push_pairs(docs, &rewritten, sink)? {
            rewritten.truncate(taken);
        }
        pairs.extend(rewritten);
        pairs.sort_by_key(|e| (e.a, e.b));
    }
    let (sets, headlined) = with_headlines(sets.sets, headlines, &pairs);
    Ok(Trace {
        dups,
        boilerplate,
        candidates: candidates.len(),
        capped_fingerprints,
        pairs,
        content: stats,
        min_words: pc.min_words,
        shingles: sets,
        headlined,
        stock_phrases: stock.len(),
        frames,
        paraphrase_candidates,
    })
}

/// [`crate::dups::find_duplicates`] within the spill's bound: the documents are shingled
/// and signed a batch at a time, their shingles held up to [`SpillOptions::held_bytes`]
/// and the rest moved to a temporary file, read back only for the documents in a candidate
/// pair ([`stream_documents`]). The same pairs and families; only the shingle counts of
/// the documents in no candidate pair are their number of shingle positions (zero exactly
/// when they have none).
fn bounded_duplicates(
    docs: &[Document],
    config: &DupsConfig,
    spill: &SpillOptions,
) -> Result<DupsReport> {
    // The stage keeps each document it is handed for the whole run; all it reads of one
    // besides the text is the timestamp (the family's representative is the earliest
    // copy), so it is handed that and the text alone, not a second copy of the metadata.
    let source = |take: &mut dyn FnMut(Document)| {
        for doc in docs {
            take(Document {
                id: String::new(),
                text: doc.text.clone(),
                source: None,
                date: None,
                timestamp: doc.timestamp,
                title: None,
                url: None,
                origin: Origin {
                    path: String::new(),
                    line: None,
                },
                raw: None,
            });
        }
        Ok(Corpus::default())
    };
    let options = StreamOptions {
        spill_dir: Some(spill.dir()),
        spill_after_bytes: Some(spill.held()),
        // Up to four batches are alive at once, each a copy of its documents.
        batch: Some(DUPS_BATCH),
        memory_limit: None,
    };
    let (_, mut report) = stream_documents(&source, config, &options, &|_| {}, &mut ())?;
    // The skips name the documents, which the stage was not handed: named here, from the
    // same counts (zero exactly for the documents without a shingle).
    report.skipped = no_token_skips(docs, &report.shingle_counts);
    Ok(report)
}

/// The fingerprint indexes hold this share of [`SpillOptions::held`] in memory, the rest in
/// files. A posting takes 12 bytes against a fingerprint's 8 in a document's list (and its
/// partition's spare capacity), so an index held whole would cost more than the lists did;
/// read back a partition at a time it costs next to nothing, and the files are written
/// once and read once, in order.
const POSTINGS_SHARE: usize = 32;

/// Each of boilerplate learning's two line counts holds this share of
/// [`SpillOptions::held`] in memory, the rest in files: like the fingerprint postings, its
/// entries are written once and read back once, a partition at a time.
const LINE_COUNTS_SHARE: usize = 16;

/// Documents signed at a time by [`bounded_duplicates`].
const DUPS_BATCH: usize = 1024;

/// What the content pass makes of document `i`.
fn measure_content(content: &Content, i: usize, pc: &PassageConfig) -> Measured {
    let doc = &content.docs[i];
    let tokens = content.tokens(i);
    let kgrams = word_shingles(&tokens, pc.k);
    let fingerprints = passage::fingerprints_of_kgrams(tokens.len(), &kgrams, pc);
    let headline = doc
        .title
        .as_deref()
        .map_or_else(Vec::new, |t| headline_kgrams(t, &tokens, pc.k));
    let (specifics, usages) = formula::specifics_and_usages(&doc.text, &tokens);
    Measured {
        stats: ContentStats {
            words: tokens.len(),
        },
        set: ShingleSet::from_hashes(kgrams),
        fingerprints,
        headline,
        specifics,
        usages,
        figure_kgrams: formula::figure_kgrams(&doc.text, &tokens, pc.k),
    }
}

/// The content k-gram sets of the documents in some pair, made when the pairs are known
/// (the same sets the content pass counted); the other documents' stay empty.
struct KgramSets {
    sets: Vec<ShingleSet>,
    made: Vec<bool>,
}

impl KgramSets {
    fn new(docs: usize) -> Self {
        KgramSets {
            sets: vec![ShingleSet::default(); docs],
            made: vec![false; docs],
        }
    }

    /// Makes the sets of `docs` not made yet.
    fn make(&mut self, content: &Content, k: usize, docs: impl Iterator<Item = u32>) {
        let mut needed: Vec<u32> = docs.filter(|&d| !self.made[d as usize]).collect();
        needed.sort_unstable();
        needed.dedup();
        let made: Vec<ShingleSet> = needed
            .par_iter()
            .map(|&d| ShingleSet::from_hashes(word_shingles(&content.tokens(d as usize), k)))
            .collect();
        for (d, set) in needed.into_iter().zip(made) {
            self.sets[d as usize] = set;
            self.made[d as usize] = true;
        }
    }
}

/// The boilerplate, and the families of related documents (which boilerplate and stock
/// phrases are learnt across).
fn learn_boilerplate(
    docs: &[Document],
    dups: &DupsReport,
    config: &TraceConfig,
    postings: FingerprintPostings,
    spill: &SpillOptions,
) -> std::io::Result<(Boilerplate, Vec<u32>)> {
    let family = related_families(docs, dups, &config.passage, postings)?;
    let texts: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
    let dir = spill.dir();
    let boilerplate = boilerplate::detect_within(
        &texts,
        |i| Cow::Owned(tokenize(texts[i])),
        &family,
        &config.boilerplate,
        || Partitioned::new(&dir, spill.held() / LINE_COUNTS_SHARE),
    )?;
    Ok((boilerplate, family))
}

/// What the content pass makes of one document.
struct Measured {
    stats: ContentStats,
    /// Its content k-grams.
    set: ShingleSet,
    /// Its passage fingerprints, which the candidate pairs come from.
    fingerprints: Vec<u64>,
    /// The k-grams of a headline held apart from its text ([`headline_kgrams`]).
    headline: Vec<u64>,
    /// Its figures and names ([`formula::specifics_of`]), for the commonplace ones.
    specifics: ShingleSet,
    /// Its k-grams holding a figure, masked ([`formula::figure_kgrams`]).
    figure_kgrams: ShingleSet,
    /// Its names with the words before them ([`formula::specifics_and_usages`]).
    usages: Vec<(u64, u64)>,
}

/// The k-gram sets lineage reads the documents by: each one's content k-grams and, for a
/// document in a pair whose headline is held apart from its text (a feed item's `title`),
/// the k-grams that headline adds ([`headline_kgrams`]). A wire story and the pages that
/// reprint it with its headline on top then hold the same text, and the pages do not look
/// as if they shared an edit of their own (so that one would be the other's source). The
/// pairs were measured before, on the text alone. `headlines` are the documents with such
/// k-grams, ascending; returns the sets and the documents whose set took them (sorted).
fn with_headlines(
    mut sets: Vec<ShingleSet>,
    headlines: Vec<(u32, Vec<u64>)>,
    pairs: &[PairEvidence],
) -> (Vec<ShingleSet>, Vec<u32>) {
    let mut paired: Vec<u32> = pairs.iter().flat_map(|p| [p.a, p.b]).collect();
    paired.sort_unstable();
    paired.dedup();
    let mut headlined = Vec::new();
    for (i, kgrams) in headlines {
        if paired.binary_search(&i).is_ok() {
            let mut all = std::mem::take(&mut sets[i as usize]).into_vec();
            all.extend(kgrams);
            sets[i as usize] = ShingleSet::from_hashes(all);
            headlined.push(i);
        }
    }
    (sets, headlined)
}

/// Each document's content: its tokens with its boilerplate removed. They are made again
/// from the text each time a stage needs them rather than held for the whole corpus (24
/// bytes a word, more than the text itself): tokenising costs less than a pass of
/// alignment, and the passage level's memory is then the texts (held or mapped), the k-gram
/// sets and what each stage keeps.
struct Content<'a> {
    docs: &'a [Document],
    boilerplate: &'a Boilerplate,
}

impl Content<'_> {
    /// Document `i`'s content tokens.
    fn tokens(&self, i: usize) -> Vec<Token> {
        let mut tokens = tokenize(&self.docs[i].text);
        tokens.retain(|t| !self.boilerplate.covers(i, t));
        tokens
    }
}

/// Pairs of input indices, `a < b`.
type Pairs = Vec<(u32, u32)>;

/// The pairs to align: those sharing passage fingerprints and those `dups` verified
/// (sorted, each once); the latter on their own (sorted); and the number of fingerprints
/// too common to index.
fn candidate_pairs(
    postings: FingerprintPostings,
    dups: &DupsReport,
    pc: &PassageConfig,
) -> std::io::Result<(Pairs, Pairs, usize)> {
    let (shared, capped) = postings.shared(pc.max_df, pc.min_shared_fingerprints)?;
    let lsh_pairs: Vec<(u32, u32)> = dups.pairs.iter().map(|p| (p.a, p.b)).collect();
    let mut candidates: Pairs = shared.into_iter().map(|(a, b, _)| (a, b)).collect();
    candidates.extend_from_slice(&lsh_pairs);
    candidates.sort_unstable();
    candidates.dedup();
    Ok((candidates, lsh_pairs, capped))
}

/// Sorted pairs cut into tasks: runs of pairs of one first document, at most
/// [`PAIRS_PER_TASK`] each (as index ranges into `pairs`), so that the first document's
/// content is made once per task and a document with thousands of partners still spreads
/// over the threads.
fn tasks_by_first_document(pairs: &[(u32, u32)]) -> Vec<std::ops::Range<usize>> {
    let mut tasks = Vec::new();
    let mut start = 0;
    for i in 1..=pairs.len() {
        if i == pairs.len() || pairs[i].0 != pairs[start].0 || i - start == PAIRS_PER_TASK {
            tasks.push(start..i);
            start = i;
        }
    }
    tasks
}

/// What aligning a candidate pair needs.
struct Aligner<'a> {
    content: &'a Content<'a>,
    sets: &'a [ShingleSet],
    stock: &'a StockPhrases,
    /// Each document's figures and names ([`formula::specifics_of`]).
    specifics: &'a [ShingleSet],
    /// The pairs `dups` verified, sorted.
    lsh_pairs: &'a [(u32, u32)],
    config: &'a PassageConfig,
}

/// Candidate pairs aligned in one task, their first document's content made once.
const PAIRS_PER_TASK: usize = 64;

impl Aligner<'_> {
    /// Aligns the candidate pairs (sorted) in order ([`Aligner::align`]), a task of
    /// [`tasks_by_first_document`] at a time.
    fn align_all(&self, candidates: &[(u32, u32)]) -> Vec<(PairEvidence, Vec<formula::Found>)> {
        tasks_by_first_document(candidates)
            .into_par_iter()
            .flat_map_iter(|task| {
                let a = candidates[task.start].0 as usize;
                let ta = self.content.tokens(a);
                let ka = word_shingles(&ta, self.config.k);
                candidates[task]
                    .iter()
                    .filter_map(|&(_, b)| self.align((a, &ta, &ka), b))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// Document `i` as a side of a pair, with its content tokens and their k-grams.
    fn side<'s>(&'s self, i: usize, tokens: &'s [Token], kgrams: &'s [u64]) -> Side<'s> {
        Side {
            text: &self.content.docs[i].text,
            tokens,
            kgrams,
        }
    }

    /// Whether two documents are the same text word for word (normalised, boilerplate
    /// included) whose content is too short for a passage but at least a k-gram: a
    /// one-sentence flash or a notice sent twice. Such a pair is a copy however short;
    /// `min_words` keeps a phrase that two longer stories share by chance from being one.
    /// The whole text must match, not only the content: two dividend notices in one
    /// formula keep their dates on short lines that recur across notices (boilerplate),
    /// and their content alone (`Qtly div six cts vs six cts prior`) tells no copy. The
    /// whole-text passage is then judged as any other: with fewer own words than half of
    /// `min_words` it is a stock phrase, and a formula is a template. `ca` and `cb` are
    /// their content tokens.
    fn same_short_text(&self, (a, b): (usize, usize), ca: &[Token], cb: &[Token]) -> bool {
        let n = ca.len();
        if n < self.config.k || n >= self.config.min_words || n != cb.len() {
            return false;
        }
        ca.iter().zip(cb).all(|(x, y)| x.hash == y.hash)
            && normalized_tokens(&self.content.docs[a].text)
                .eq(normalized_tokens(&self.content.docs[b].text))
    }

    /// Aligns a pair and judges each passage: reuse, or a formula (a template, stock
    /// phrases, a shared quote). `None` when they share no passage; else the pair's
    /// evidence and its formula passages (to be grouped into frames, which number the
    /// evidence's templates in order).
    /// `a` comes with its content tokens and their k-grams (made once for all its pairs).
    fn align(
        &self,
        (ia, ta, ka): (usize, &[Token], &[u64]),
        b: u32,
    ) -> Option<(PairEvidence, Vec<formula::Found>)> {
        let (a, ib) = (ia as u32, b as usize);
        let pc = self.config;
        let tb = self.content.tokens(ib);
        let kb = word_shingles(&tb, pc.k);
        let mut passages = if ta.len() < pc.k || tb.len() < pc.k {
            Vec::new()
        } else {
            passage::align_shingled(ka, &kb, pc)
        };
        if passages.is_empty() && self.same_short_text((ia, ib), ta, &tb) {
            passages.push(passage::Passage::whole(ta.len()));
        }
        if passages.is_empty() {
            return None;
        }
        let docs = self.content.docs;
        let locate = |p: &passage::Passage| locate(docs, (ia, ta), (ib, &tb), p);
        let (mut spans, mut templates, mut found) = (Vec::new(), Vec::new(), Vec::new());
        let related =
            formula::share_distinctive(&self.specifics[ia], &self.specifics[ib], self.stock);
        for p in &passages {
            let verdict = formula::judge(
                p,
                self.side(ia, ta, ka),
                self.side(ib, &tb, &kb),
                self.stock,
                pc.k,
                pc.min_words,
                related,
            );
            match verdict {
                None => spans.push(locate(p)),
                Some(reason) => {
                    // A shared quote is no formula: it joins no frame.
                    let frame = if reason == formula::TemplateReason::Quote {
                        usize::MAX
                    } else {
                        found.push(formula::Found::new(a, b, p, self.side(ia, ta, ka), pc.k));
                        0
                    };
                    templates.push(TemplateSpan {
                        span: locate(p),
                        reason,
                        frame,
                    });
                }
            }
        }
        let evidence = PairEvidence {
            spans,
            from_lsh: self.lsh_pairs.binary_search(&(a, b)).is_ok(),
            templates,
            ..measured(a, b, self.sets)
        };
        Some((evidence, found))
    }
}

/// The hashes of a text's normalised tokens, in order.
fn normalized_tokens(text: &str) -> impl Iterator<Item = u64> + '_ {
    tokenize(text).into_iter().map(|t| t.hash)
}

/// Groups the formula passages of the aligned pairs into frames, and numbers each pair's
/// template spans with its frame (in the order the passages were found).
fn number_frames(
    aligned: Vec<(PairEvidence, Vec<formula::Found>)>,
    dups: &DupsReport,
    documents: usize,
) -> (Frames, Vec<PairEvidence>) {
    let found: Vec<formula::Found> = aligned.iter().flat_map(|(_, f)| f.clone()).collect();
    // A frame's stories are its documents, near-duplicates counted once (two notices in
    // one formula hold most of each other's fingerprints, so containment families would
    // count them as one).
    let mut story: Vec<u32> = (0..documents as u32).collect();
    for f in &dups.families {
        for &m in &f.members {
            story[m as usize] = f.representative;
        }
    }
    let (frames, of_passage) = formula::group(&found, &story);
    let mut next = of_passage.into_iter();
    let pairs = aligned
        .into_iter()
        .map(|(mut e, _)| {
            for t in e.templates.iter_mut().filter(|t| t.frame != usize::MAX) {
                t.frame = next.next().unwrap_or(0);
            }
            e
        })
        .collect();
    (frames, pairs)
}

/// The paraphrase path: pairs that share rewritten passages and no verbatim one (nor a
/// formula: two stories known to share a template are not each other's rewrite), and
/// the number of candidate pairs aligned.
fn rewritten_pairs(
    content: &Content,
    sets: &mut KgramSets,
    verbatim: &[PairEvidence],
    config: &ParaphraseConfig,
    k: usize,
) -> (Vec<PairEvidence>, usize) {
    let docs = content.docs;
    let known: Vec<(u32, u32)> = verbatim.iter().map(|e| (e.a, e.b)).collect();
    let rewrites = Rewrites::prepare(docs, |i| content.tokens(i), &known, config);
    sets.make(content, k, rewrites.pairs.iter().flat_map(|&(a, b)| [a, b]));
    let sets = &sets.sets;
    let pairs = &rewrites.pairs;
    let found = tasks_by_first_document(pairs)
        .into_par_iter()
        .flat_map_iter(|task| {
            let a = pairs[task.start].0;
            let (ia, ta) = (a as usize, content.tokens(a as usize));
            let rewrites = &rewrites;
            pairs[task].iter().filter_map(move |&(_, b)| {
                let (ib, tb) = (b as usize, content.tokens(b as usize));
                let passages = rewrites.align(docs, (a, b), (&ta, &tb), config);
                if passages.is_empty() {
                    return None;
                }
                Some(PairEvidence {
                    spans: passages
                        .iter()
                        .map(|p| locate(docs, (ia, &ta), (ib, &tb), p))
                        .collect(),
                    paraphrase: true,
                    ..measured(a, b, sets)
                })
            })
        })
        .collect();
    (found, rewrites.pairs.len())
}

/// Locates a passage of documents `a` and `b` (each with its content tokens) in both
/// original texts.
fn locate(
    docs: &[Document],
    (a, a_tokens): (usize, &[Token]),
    (b, b_tokens): (usize, &[Token]),
    p: &passage::Passage,
) -> SharedSpan {
    SharedSpan::locate(p, &docs[a].text, a_tokens, &docs[b].text, b_tokens)
}

/// The evidence of pair `(a, b)` measured on their content k-gram sets, with no passage
/// yet (found by neither LSH nor the paraphrase path).
fn measured(a: u32, b: u32, sets: &[ShingleSet]) -> PairEvidence {
    let mut e = PairEvidence {
        a,
        b,
        spans: Vec::new(),
        a_shingles: 0,
        b_shingles: 0,
        shared_shingles: 0,
        from_lsh: false,
        paraphrase: false,
        templates: Vec::new(),
    };
    measure(&mut e, sets);
    e
}

/// Sets a pair's k-gram counts (each end's and the shared) from the two documents' sets.
fn measure(e: &mut PairEvidence, sets: &[ShingleSet]) {
    let (sa, sb) = (&sets[e.a as usize], &sets[e.b as usize]);
    e.a_shingles = sa.len();
    e.b_shingles = sb.len();
    e.shared_shingles = exact_similarity(sa, sb).intersection;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> PassageOptions {
        PassageOptions {
            min_words: 20,
            max_gap: 30,
            passage_k: 5,
            max_df: 100,
            boilerplate_min_docs: 10,
            paraphrase: true,
            paraphrase_window_days: 2,
            summaries: false,
        }
    }

    #[test]
    fn tasks_hold_one_first_document_and_at_most_a_task_s_pairs() {
        let mut pairs: Vec<(u32, u32)> = (1..=130).map(|b| (0, b)).collect();
        pairs.extend([(1, 2), (1, 3), (5, 6)]);
        assert_eq!(
            tasks_by_first_document(&pairs),
            [0..64, 64..128, 128..130, 130..132, 132..133]
        );
        assert!(tasks_by_first_document(&[]).is_empty());
    }

    #[test]
    fn options_make_the_configuration_and_bad_ones_name_the_parameter() {
        let c = TraceConfig::from_options(DupsConfig::default(), &options()).unwrap();
        assert_eq!(c, TraceConfig::default());
        // A passage is never shorter than its k-grams.
        let short = PassageOptions {
            min_words: 3,
            passage_k: 8,
            paraphrase_window_days: 0,
            ..options()
        };
        let c = TraceConfig::from_options(DupsConfig::default(), &short).unwrap();
        assert_eq!(c.passage.min_words, 8);
        let p = c.paraphrase.unwrap();
        assert_eq!((p.min_words, p.window_seconds), (8, None));
        let summaries = PassageOptions {
            summaries: true,
            ..options()
        };
        let c = TraceConfig::from_options(DupsConfig::default(), &summaries).unwrap();
        assert!(c.paraphrase.unwrap().summaries);
        assert!(!TraceConfig::default().paraphrase.unwrap().summaries);
        for (bad, name) in [
            (
                PassageOptions {
                    min_words: 0,
                    ..options()
                },
                "min_words",
            ),
            (
                PassageOptions {
                    passage_k: 65,
                    ..options()
                },
                "passage_k",
            ),
            (
                PassageOptions {
                    max_df: 1,
                    ..options()
                },
                "max_df",
            ),
            (
                PassageOptions {
                    boilerplate_min_docs: 1,
                    ..options()
                },
                "boilerplate_min_docs",
            ),
            (
                PassageOptions {
                    paraphrase: false,
                    summaries: true,
                    ..options()
                },
                "`summaries`",
            ),
        ] {
            let e = TraceConfig::from_options(DupsConfig::default(), &bad).unwrap_err();
            let message = e.to_string();
            assert!(
                message.contains(name) && !message.contains("--"),
                "{message}"
            );
        }
    }
}
