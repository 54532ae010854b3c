//! The whole-document pipeline: documents → shingle sets → signatures → candidates →
//! verified pairs → families.
//!
//! Each stage is a pure function of its inputs and the [`DupsConfig`], so the same stages
//! can run on batches on other workers: nothing here reads global state, and every hash and
//! permutation is rebuilt from the seed.
//!
//! [`stream_duplicates`] runs the stages over corpora larger than memory. What it costs is
//! mostly tokenising and hashing the text, so it arranges the rest around that: a reader
//! thread parses the next batch while the others shingle and sign the current one (first
//! batches small, so signing starts at once); a document's shingles are signed in text
//! order and sorted into a set only if LSH puts the document in a candidate pair (a tenth
//! of the documents or fewer in news corpora); the shingles wait for verification in
//! fixed-size memory chunks that a writer thread moves to disk when they pass a bound,
//! while reading and signing go on. The signature waits with them: banding needs only its
//! band keys and a hash of the whole, kept for every document (a third of the signature),
//! and the estimate of a verified pair reads the signatures back with the shingles.

use std::cmp::Ordering;
use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};

use rayon::prelude::*;

use crate::corpus::{
    Corpus, Document, Input, ReadOptions, Skip, SkipReason, Text, read_inputs_with,
};
use crate::error::{Error, Result};
use crate::families::{Family, families};
use crate::lsh::{
    Banded, Candidates, LshParams, candidate_pairs, candidates_of_bands, optimal_params,
};
use crate::minhash::{MinHasher, Signature};
use crate::shingle::{ShingleScheme, ShingleSet, shingle_sequence, shingle_set};
use crate::verify::{VerifiedPair, verify};

/// Parameters of a near-duplicate run.
#[derive(Debug, Clone, PartialEq)]
pub struct DupsConfig {
    /// How documents are shingled.
    pub scheme: ShingleScheme,
    /// MinHash signature length (values).
    pub num_perm: usize,
    /// Seed of the signature hashing.
    pub seed: u64,
    /// Minimum exact Jaccard of a reported pair.
    pub threshold: f64,
    /// Bands × rows; `None` chooses them from the threshold ([`optimal_params`]).
    pub lsh: Option<LshParams>,
    /// Buckets with more documents than this give star pairs only (see [`crate::lsh`]).
    pub max_bucket: usize,
}

/// Default seed: any fixed value works; this one is documented so runs can be reproduced.
pub const DEFAULT_SEED: u64 = 42;

impl Default for DupsConfig {
    fn default() -> Self {
        DupsConfig {
            scheme: ShingleScheme::default(),
            num_perm: 128,
            seed: DEFAULT_SEED,
            threshold: 0.8,
            lsh: None,
            max_bucket: 1000,
        }
    }
}

impl DupsConfig {
    /// Checks ranges and resolves the LSH bands.
    pub fn resolve_lsh(&self) -> Result<LshParams> {
        if !(self.threshold > 0.0 && self.threshold <= 1.0) {
            return Err(Error::Config(format!(
                "threshold {} must be in (0, 1]",
                self.threshold
            )));
        }
        if !(1..=4096).contains(&self.num_perm) {
            return Err(Error::Config(format!(
                "num_perm {} must be between 1 and 4096",
                self.num_perm
            )));
        }
        if self.max_bucket < 2 {
            return Err(Error::Config("max_bucket must be at least 2".into()));
        }
        let params = self
            .lsh
            .unwrap_or_else(|| optimal_params(self.threshold, self.num_perm));
        params.validate(self.num_perm)?;
        Ok(params)
    }
}

/// What a run found.
#[derive(Debug, Clone)]
pub struct DupsReport {
    /// The bands actually used.
    pub lsh: LshParams,
    /// Documents that took part (had at least one shingle).
    pub documents: usize,
    /// Documents that had no tokens and were left out, with the reason.
    pub skipped: Vec<Skip>,
    /// Number of candidate pairs LSH proposed.
    pub candidates: usize,
    /// Buckets cut down to star pairs.
    pub oversized_buckets: usize,
    /// Largest bucket (or group of identical signatures), in documents.
    pub largest_bucket: usize,
    /// Groups of identical signatures collapsed to star pairs (see [`crate::lsh`]).
    pub collapsed_groups: usize,
    /// Verified pairs, sorted by document index; indices point into the input slice.
    pub pairs: Vec<VerifiedPair>,
    /// Families, largest first; indices point into the input slice.
    pub families: Vec<Family>,
    /// Number of distinct shingles of each input document. A streaming run
    /// ([`stream_duplicates`]) counts them exactly for the documents in some candidate pair
    /// (every family member among them) and gives the others their number of shingle
    /// positions, repeats included: zero exactly when the set is empty.
    pub shingle_counts: Vec<usize>,
}

/// Stage 1: the shingle set of every document, in parallel, in input order.
pub fn shingle_documents(docs: &[Document], scheme: ShingleScheme) -> Vec<ShingleSet> {
    docs.par_iter()
        .map(|d| shingle_set(&d.text, scheme))
        .collect()
}

/// Stage 2: the signature of every shingle set, in parallel, in input order.
pub fn sign(sets: &[ShingleSet], hasher: &MinHasher) -> Vec<Signature> {
    sets.par_iter().map(|s| hasher.signature(s)).collect()
}

/// Runs the pipeline over a corpus.
///
/// ```
/// use wiretrace::{corpus::Document, dups::{find_duplicates, DupsConfig}};
/// let story = "The National Development and Reform Commission held a seminar on Tuesday \
///              to solicit advice from industry experts on the rare earth industry.";
/// let docs = vec![
///     Document::new("xinhua", story),
///     Document::new("repost", format!("{story} Source: Xinhua")),
///     Document::new("other", "Showers continued throughout the week in the Bahia cocoa zone."),
/// ];
/// let report = find_duplicates(&docs, &DupsConfig::default()).unwrap();
/// assert_eq!(report.pairs.len(), 1);
/// assert_eq!(report.families[0].members, [0, 1]);
/// ```
pub fn find_duplicates(docs: &[Document], config: &DupsConfig) -> Result<DupsReport> {
    let lsh = config.resolve_lsh()?;
    if docs.len() > u32::MAX as usize {
        return Err(Error::Config("more than 2³² documents in one batch".into()));
    }
    let sets = shingle_documents(docs, config.scheme);
    let shingle_counts: Vec<usize> = sets.iter().map(|s| s.len()).collect();
    let skipped = no_token_skips(docs, &shingle_counts);
    // Documents without a single token take no part: their empty signature would match
    // every other empty one.
    let active: Vec<u32> = (0..docs.len() as u32)
        .filter(|&i| shingle_counts[i as usize] > 0)
        .collect();
    let active_sets: Vec<ShingleSet> = sets.into_iter().filter(|s| !s.is_empty()).collect();
    let hasher = MinHasher::new(config.num_perm, config.seed);
    let signatures = sign(&active_sets, &hasher);
    let candidates = candidate_pairs(&signatures, lsh, config.max_bucket);
    let pairs = verify(
        &candidates.pairs,
        &active_sets,
        &signatures,
        config.threshold,
    )
    .into_iter()
    .map(|p| to_input(p, &active))
    .collect();
    Ok(assemble(
        docs,
        lsh,
        &active,
        candidates,
        pairs,
        skipped,
        shingle_counts,
    ))
}

/// The skips for documents whose text has no token at all.
pub(crate) fn no_token_skips(docs: &[Document], shingle_counts: &[usize]) -> Vec<Skip> {
    docs.iter()
        .zip(shingle_counts)
        .filter(|(_, n)| **n == 0)
        .map(|(d, _)| Skip {
            origin: d.origin.clone(),
            id: Some(d.id.clone()),
            reason: SkipReason::NoTokens,
        })
        .collect()
}

/// Final stage: groups the pairs (input indices) into families.
#[allow(clippy::too_many_arguments)]
fn assemble(
    docs: &[Document],
    lsh: LshParams,
    active: &[u32],
    candidates: Candidates,
    pairs: Vec<VerifiedPair>,
    skipped: Vec<Skip>,
    shingle_counts: Vec<usize>,
) -> DupsReport {
    let families = families(docs.len(), pairs.iter().map(|p| (p.a, p.b)), |x, y| {
        prefer_representative(docs, &shingle_counts, x, y)
    });
    DupsReport {
        lsh,
        documents: active.len(),
        skipped,
        candidates: candidates.pairs.len(),
        oversized_buckets: candidates.oversized_buckets,
        largest_bucket: candidates.largest_bucket,
        collapsed_groups: candidates.collapsed_groups,
        pairs,
        families,
        shingle_counts,
    }
}

/// Progress of a streaming run, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Documents and bytes of text read and signed so far.
    Signed {
        /// Documents.
        documents: usize,
        /// Bytes of text.
        bytes: u64,
    },
    /// All documents are signed; candidates are being generated.
    Candidates,
    /// Candidates are being verified.
    Verifying {
        /// Candidate pairs.
        candidates: usize,
    },
}

/// Options of [`stream_duplicates`].
#[derive(Debug, Clone, Default)]
pub struct StreamOptions {
    /// Where the shingle-set spill file goes (default: the system temporary folder).
    pub spill_dir: Option<std::path::PathBuf>,
    /// Documents shingled and signed together (default [`DEFAULT_BATCH`]).
    pub batch: Option<usize>,
    /// Bytes of signatures and shingles held in memory before they spill to disk (default
    /// [`SPILL_AFTER_BYTES`], or an eighth of `memory_limit` if less).
    pub spill_after_bytes: Option<usize>,
    /// Stop with [`Error::MemoryLimit`] when what must stay in memory (band keys,
    /// metadata, the batch being signed) would pass this many bytes.
    pub memory_limit: Option<u64>,
}

/// Bytes a document's metadata and bookkeeping take besides its strings (the `Document`
/// record, its entry in the duplicate-id index, its place in the spill), as estimated for
/// `--memory-limit`; its band keys are counted apart.
pub const PER_DOCUMENT_OVERHEAD: u64 = 400;

/// Documents shingled and signed per batch when streaming.
pub const DEFAULT_BATCH: usize = 8192;

/// Most bytes of text in one streaming batch (less under a memory limit: a 32nd of it).
pub const BATCH_TEXT_BYTES: usize = 64 << 20;

/// Runs the pipeline over inputs read in one streaming pass, for corpora larger than
/// memory.
///
/// Documents are read, shingled, signed and dropped batch by batch: what stays in memory
/// is each document's metadata (id, source, date; not its text), its band keys and a hash
/// of its whole signature (`8 × (bands + 1)` bytes, [`crate::lsh::Banded`]), and its
/// signature and shingles, kept in memory up to [`SPILL_AFTER_BYTES`] in all and beyond
/// that in a temporary file, read back (and only then the shingles sorted into a set) for
/// the documents that LSH puts in a candidate pair, and the signatures alone for the few
/// documents whose whole-signature hashes meet (to find identical signatures exactly).
/// The returned corpus holds the documents with their text emptied. Results equal
/// [`find_duplicates`] on the same documents.
pub fn stream_duplicates(
    inputs: &[Input],
    read: &ReadOptions,
    config: &DupsConfig,
    options: &StreamOptions,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<(Corpus, DupsReport)> {
    stream_documents(
        &|sink| read_inputs_with(inputs, read, sink),
        config,
        options,
        progress,
        &mut (),
    )
}

/// A source of documents for [`stream_documents`]: called once, on a reading thread, it
/// hands every document to the sink in input order and returns the account of what it did
/// not hand on (skips, warnings), as [`read_inputs_with`] does.
pub type DocumentSource<'a> = dyn Fn(&mut dyn FnMut(Document)) -> Result<Corpus> + Sync + 'a;

/// What a [`PairSink`] answers after each pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Go on.
    Continue,
    /// Verify no more candidates: the run ends with the pairs seen so far (and their
    /// families).
    Stop,
}

/// Where a streaming run's verified pairs go as they are found: the caller implements it,
/// the run pushes each pair as soon as its share of the candidates is verified, in the
/// report's order (by document index), and a sink that answers [`Flow::Stop`] ends the
/// verification early (the shape of grep-searcher's `Sink`). The JSON Lines output writes
/// each pair line from here, before the run has finished; the report keeps the pairs too,
/// since the families are made from all of them.
pub trait PairSink {
    /// One verified pair; its indices point into `docs`, the run's documents (a streaming
    /// run has dropped their texts by now).
    fn pair(&mut self, docs: &[Document], pair: &VerifiedPair) -> Result<Flow>;
}

/// The sink that takes nothing: the pairs are only in the report.
impl PairSink for () {
    fn pair(&mut self, _: &[Document], _: &VerifiedPair) -> Result<Flow> {
        Ok(Flow::Continue)
    }
}

/// Candidates verified at a time before their pairs go to the sink.
const VERIFY_CHUNK: usize = 1 << 16;

/// A pair of active-document indices as input indices.
fn to_input(p: VerifiedPair, active: &[u32]) -> VerifiedPair {
    VerifiedPair {
        a: active[p.a as usize],
        b: active[p.b as usize],
        ..p
    }
}

/// [`stream_duplicates`] over any source of documents (rows held by a caller, a network
/// feed, a Python iterator): the same streaming pass, the same results; every verified
/// pair also goes to `sink` as it is found.
pub fn stream_documents(
    source: &DocumentSource<'_>,
    config: &DupsConfig,
    options: &StreamOptions,
    progress: &(dyn Fn(Progress) + Sync),
    sink: &mut dyn PairSink,
) -> Result<(Corpus, DupsReport)> {
    let lsh = config.resolve_lsh()?;
    let spill_dir = options.spill_dir.clone().unwrap_or_else(std::env::temp_dir);
    let spill_err = |source| Error::Output {
        path: spill_dir.clone(),
        source,
    };
    let stop = AtomicBool::new(false);
    let mut signer = Signer::new(config, lsh, options, &spill_dir, &stop).map_err(spill_err)?;
    let mut corpus = read_and_sign(source, options, &mut signer, progress)?;
    let Signer {
        signed,
        spill,
        over_limit,
        spill_failure,
        ..
    } = signer;
    if let Some(e) = over_limit {
        return Err(e);
    }
    if let Some(e) = spill_failure {
        return Err(spill_err(e));
    }
    let spill = spill.seal().map_err(spill_err)?;
    let Signed {
        metadata,
        mut shingle_counts,
        active,
        banded,
    } = signed;
    if metadata.len() > u32::MAX as usize {
        return Err(Error::Config("more than 2³² documents in one run".into()));
    }

    progress(Progress::Candidates);
    let candidates = candidates_of_bands(
        &banded,
        |i| spill.read_signature(i, config.num_perm),
        config.max_bucket,
    )
    .map_err(spill_err)?;
    progress(Progress::Verifying {
        candidates: candidates.pairs.len(),
    });
    // Only the documents in some candidate pair have their signatures and shingle sets
    // read back.
    let (signatures, sets) =
        read_back(&spill, &candidates, banded.len(), config.num_perm).map_err(spill_err)?;
    drop(banded);
    for (i, set) in sets.iter().enumerate() {
        if !set.is_empty() {
            shingle_counts[active[i] as usize] = set.len();
        }
    }
    let pairs = verify_to_sink(
        &candidates,
        &sets,
        &signatures,
        config,
        &active,
        &metadata,
        sink,
    )?;
    drop(sets);
    drop(signatures);

    let skipped = no_token_skips(&metadata, &shingle_counts);
    let report = assemble(
        &metadata,
        lsh,
        &active,
        candidates,
        pairs,
        skipped,
        shingle_counts,
    );
    corpus.documents = metadata;
    Ok((corpus, report))
}

/// What signing keeps of the documents: each one's metadata (its text dropped) and number
/// of shingles, and, for those with shingles, their input index and band keys (the
/// signature itself goes to the spill, ahead of the shingles).
struct Signed {
    metadata: Vec<Document>,
    shingle_counts: Vec<usize>,
    active: Vec<u32>,
    banded: Banded,
}

/// The signing half of a streaming run: shingles and signs a batch at a time, spills the
/// shingles, and keeps the account of the memory held against the limit.
struct Signer<'a> {
    config: &'a DupsConfig,
    hasher: MinHasher,
    memory_limit: Option<u64>,
    /// Shingle bytes held in memory before the spill file takes them.
    spill_after: usize,
    spill: Spill,
    signed: Signed,
    /// A signature and its shingles, as one spill record, reused.
    record: Vec<u64>,
    /// Text bytes read so far.
    bytes: u64,
    /// Estimated bytes held for the documents signed so far.
    held: u64,
    over_limit: Option<Error>,
    spill_failure: Option<std::io::Error>,
    /// Set once over the limit: the reader stops reading.
    stop: &'a AtomicBool,
}

impl<'a> Signer<'a> {
    fn new(
        config: &'a DupsConfig,
        lsh: LshParams,
        options: &StreamOptions,
        spill_dir: &std::path::Path,
        stop: &'a AtomicBool,
    ) -> std::io::Result<Signer<'a>> {
        let mut spill_after = options.spill_after_bytes.unwrap_or(SPILL_AFTER_BYTES);
        if let Some(limit) = options.memory_limit {
            spill_after = spill_after.min(usize::try_from(limit / 8).unwrap_or(usize::MAX));
        }
        Ok(Signer {
            config,
            hasher: MinHasher::new(config.num_perm, config.seed),
            memory_limit: options.memory_limit,
            spill_after,
            spill: Spill::new(spill_dir, spill_after)?,
            signed: Signed {
                metadata: Vec::new(),
                shingle_counts: Vec::new(),
                active: Vec::new(),
                banded: Banded::new(lsh),
            },
            record: Vec::new(),
            bytes: 0,
            held: 0,
            over_limit: None,
            spill_failure: None,
            stop,
        })
    }

    fn stopped(&self) -> bool {
        self.stop.load(AtomicOrdering::Relaxed)
    }

    /// Signs a batch (emptying it) and reports progress.
    fn sign(&mut self, batch: &mut Vec<Document>, progress: &(dyn Fn(Progress) + Sync)) {
        let (config, hasher) = (self.config, &self.hasher);
        // Shingles in text order, not yet sets: the signature does not need the sort, and
        // only documents in a candidate pair are ever sorted (when read back).
        let signed: Vec<(Vec<u64>, Option<Signature>)> = batch
            .par_iter()
            .map(|d| {
                let shingles = shingle_sequence(&d.text, config.scheme);
                let sig = (!shingles.is_empty()).then(|| hasher.signature(&shingles));
                (shingles, sig)
            })
            .collect();
        let batch_text: u64 = batch.iter().map(|d| d.text.len() as u64).sum();
        for (mut doc, (set, sig)) in batch.drain(..).zip(signed) {
            self.bytes += doc.text.len() as u64;
            self.held += held_for(&doc, self.signed.banded.params());
            let out = &mut self.signed;
            let index = out.metadata.len() as u32;
            out.shingle_counts.push(set.len());
            if let Some(sig) = sig {
                self.record.clear();
                push_signature(&mut self.record, &sig);
                self.record.extend_from_slice(&set);
                if let Err(e) = self.spill.push(&self.record) {
                    self.spill_failure.get_or_insert(e);
                }
                out.active.push(index);
                out.banded.push(&sig);
            }
            doc.text = Text::default();
            out.metadata.push(doc);
        }
        progress(Progress::Signed {
            documents: self.signed.metadata.len(),
            bytes: self.bytes,
        });
        self.check_limit(batch_text);
    }

    /// Stops the run with a memory-limit error once what is held, the spill buffer and
    /// two batches of text would pass the limit.
    fn check_limit(&mut self, batch_text: u64) {
        let Some(limit) = self.memory_limit else {
            return;
        };
        let needed = self.held + self.spill_after as u64 + 2 * batch_text;
        if needed > limit && self.over_limit.is_none() {
            self.over_limit = Some(Error::MemoryLimit {
                limit,
                needed,
                what: format!(
                    "after {} documents, their signatures and metadata",
                    self.signed.metadata.len()
                ),
                hint: ", or lower num_perm".into(),
            });
            self.stop.store(true, AtomicOrdering::Relaxed);
        }
    }
}

/// Bytes held for one signed document: its band keys and metadata.
fn held_for(doc: &Document, lsh: LshParams) -> u64 {
    PER_DOCUMENT_OVERHEAD
        + Banded::bytes_per_signature(lsh) as u64
        + 2 * doc.id.len() as u64
        + 2 * doc.origin.path.len() as u64
        + [&doc.source, &doc.date, &doc.title, &doc.url]
            .iter()
            .map(|f| f.as_ref().map_or(0, |s| s.len() as u64))
            .sum::<u64>()
}

/// Reads the documents on their own thread, one batch ahead of shingling and signing, so
/// the two overlap. A batch is also cut by its text size, so a few huge documents cannot
/// fill memory: up to four batches are alive at once (being read, two queued, being
/// signed).
fn read_and_sign(
    source: &DocumentSource<'_>,
    options: &StreamOptions,
    signer: &mut Signer<'_>,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Corpus> {
    let batch_size = options.batch.unwrap_or(DEFAULT_BATCH).max(1);
    let batch_bytes = options.memory_limit.map_or(BATCH_TEXT_BYTES, |limit| {
        BATCH_TEXT_BYTES.min(usize::try_from(limit / 32).unwrap_or(usize::MAX))
    });
    let (sender, batches) = std::sync::mpsc::sync_channel::<Vec<Document>>(2);
    let stop = signer.stop;
    let read_result = std::thread::scope(|scope| {
        let reader = scope.spawn(move || {
            // The first batches are small and double up to the full size, so that signing
            // starts after a few hundred documents, not after the first full batch.
            let mut limit = batch_size.min(256);
            let mut batch = Vec::with_capacity(limit);
            let mut batch_text = 0usize;
            let corpus = source(&mut |doc| {
                if stop.load(AtomicOrdering::Relaxed) {
                    return;
                }
                batch_text += doc.text.len();
                batch.push(doc);
                if batch.len() >= limit || batch_text >= batch_bytes {
                    batch_text = 0;
                    limit = (2 * limit).min(batch_size);
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(limit));
                    // A closed channel means the consumer is gone; nothing left to do.
                    let _ = sender.send(full);
                }
            });
            if !batch.is_empty() {
                let _ = sender.send(batch);
            }
            corpus
        });
        for mut batch in batches {
            if signer.stopped() {
                continue;
            }
            signer.sign(&mut batch, progress);
        }
        reader.join()
    });
    match read_result {
        Ok(result) => result,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// Spill words a signature of `num_perm` values takes at the head of its record: two
/// values to a word.
fn signature_words(num_perm: usize) -> usize {
    num_perm.div_ceil(2)
}

/// Appends `signature` to a spill record, two values to a word (the first in the low half).
fn push_signature(record: &mut Vec<u64>, signature: &[u32]) {
    record.extend(
        signature
            .chunks(2)
            .map(|two| u64::from(two[0]) | u64::from(two.get(1).copied().unwrap_or(0)) << 32),
    );
}

/// The signature of `num_perm` values at the head of a spill record.
fn signature_of(words: &[u64], num_perm: usize) -> Signature {
    let mut signature: Signature = words
        .iter()
        .flat_map(|&w| [w as u32, (w >> 32) as u32])
        .collect();
    signature.truncate(num_perm);
    signature
}

/// The signatures and shingle sets of the documents in some candidate pair, read back
/// from the spill, the shingles sorted into sets (by signed index; the others stay empty).
fn read_back(
    spill: &SealedSpill,
    candidates: &Candidates,
    signed: usize,
    num_perm: usize,
) -> std::io::Result<(Vec<Signature>, Vec<ShingleSet>)> {
    let mut needed: Vec<u32> = candidates.pairs.iter().flat_map(|&(a, b)| [a, b]).collect();
    needed.sort_unstable();
    needed.dedup();
    let words = signature_words(num_perm);
    let loaded: Vec<std::io::Result<(Signature, ShingleSet)>> = needed
        .par_iter()
        .map(|&i| {
            let mut record = spill.read(i)?;
            let shingles = record.split_off(words.min(record.len()));
            Ok((
                signature_of(&record, num_perm),
                ShingleSet::from_hashes(shingles),
            ))
        })
        .collect();
    let mut signatures: Vec<Signature> = vec![Signature::new(); signed];
    let mut sets: Vec<ShingleSet> = vec![ShingleSet::default(); signed];
    for (&i, one) in needed.iter().zip(loaded) {
        let (signature, set) = one?;
        signatures[i as usize] = signature;
        sets[i as usize] = set;
    }
    Ok((signatures, sets))
}

/// Verifies the candidates a chunk at a time, so that the sink sees pairs while the rest
/// are verified, and can stop the run; the pairs in input indices.
fn verify_to_sink(
    candidates: &Candidates,
    sets: &[ShingleSet],
    signatures: &[Signature],
    config: &DupsConfig,
    active: &[u32],
    metadata: &[Document],
    sink: &mut dyn PairSink,
) -> Result<Vec<VerifiedPair>> {
    let mut pairs = Vec::new();
    for chunk in candidates.pairs.chunks(VERIFY_CHUNK) {
        for p in verify(chunk, sets, signatures, config.threshold) {
            let p = to_input(p, active);
            let flow = sink.pair(metadata, &p)?;
            pairs.push(p);
            if flow == Flow::Stop {
                return Ok(pairs);
            }
        }
    }
    Ok(pairs)
}

/// Signatures and shingles kept for verification, one record a document (the signature
/// first, [`push_signature`]): in memory up to [`SPILL_AFTER_BYTES`], then in an
/// anonymous temporary file (deleted when closed), read back by position.
///
/// The memory part is a list of fixed-size chunks, not one growing vector: a vector that
/// doubles copies everything it holds into fresh pages at every step, and touching fresh
/// pages (the kernel zeroes each one) cost more than the whole signing stage. When the
/// memory part is full, its chunks go to a writer thread, which writes them to the file
/// and hands them back, emptied, for reuse: the disk writes overlap reading and signing
/// instead of stopping them (on 1,000,000 articles, ~4 GB of shingles).
struct Spill {
    dir: std::path::PathBuf,
    /// Sets not handed to the writer, starting at shingle number `in_file`: every chunk
    /// before the last holds exactly `chunk_len` shingles.
    chunks: Vec<Vec<u64>>,
    /// Shingles in `chunks`.
    in_memory: usize,
    /// Empty chunks ready for reuse.
    spare: Vec<Vec<u64>>,
    /// Chunks allocated in all (in memory, spare or with the writer): at most `max_chunks`
    /// once the writer runs.
    allocated: usize,
    writer: Option<SpillWriter>,
    /// Shingles handed to the writer.
    in_file: u64,
    /// (first shingle number, number of shingles) of each pushed set.
    index: Vec<(u64, u32)>,
    spill_after: usize,
    /// Shingles per memory chunk ([`SPILL_CHUNK`]; less in tests).
    chunk_len: usize,
}

/// The thread that writes full chunks to the spill file and sends them back.
struct SpillWriter {
    chunks: std::sync::mpsc::Sender<Vec<u64>>,
    written: std::sync::mpsc::Receiver<Vec<u64>>,
    thread: std::thread::JoinHandle<std::io::Result<std::fs::File>>,
}

/// Shingle sets are held in memory up to this many bytes before they spill to disk.
pub const SPILL_AFTER_BYTES: usize = 512 << 20;

/// Shingles per memory chunk of a [`Spill`] (8 MiB).
const SPILL_CHUNK: usize = 1 << 20;

impl Spill {
    fn new(dir: &std::path::Path, spill_after: usize) -> std::io::Result<Self> {
        // Fail early, before any work, if the folder cannot hold the spill file.
        drop(tempfile::tempfile_in(dir)?);
        Ok(Spill {
            dir: dir.to_path_buf(),
            chunks: Vec::new(),
            in_memory: 0,
            spare: Vec::new(),
            allocated: 0,
            writer: None,
            in_file: 0,
            index: Vec::new(),
            spill_after,
            chunk_len: SPILL_CHUNK,
        })
    }

    /// Chunks the memory part may hold, plus two for the writer to work on meanwhile.
    fn max_chunks(&self) -> usize {
        (self.spill_after / 8).div_ceil(self.chunk_len) + 2
    }

    fn push(&mut self, set: &[u64]) -> std::io::Result<()> {
        let start = self.in_file + self.in_memory as u64;
        self.index.push((start, set.len() as u32));
        let mut rest = set;
        while !rest.is_empty() {
            if self.chunks.last().is_none_or(|c| c.len() == self.chunk_len) {
                let chunk = self.empty_chunk()?;
                self.chunks.push(chunk);
            }
            let Some(chunk) = self.chunks.last_mut() else {
                unreachable!("a chunk was just pushed")
            };
            let take = rest.len().min(self.chunk_len - chunk.len());
            chunk.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
        }
        self.in_memory += set.len();
        if self.in_memory * 8 > self.spill_after {
            self.hand_to_writer()?;
        }
        Ok(())
    }

    /// A chunk to fill: a spare one, one the writer has finished with, or a new one —
    /// waiting for the writer when the memory part is at its bound.
    fn empty_chunk(&mut self) -> std::io::Result<Vec<u64>> {
        if let Some(writer) = &self.writer {
            self.spare.extend(writer.written.try_iter());
            if self.spare.is_empty() && self.allocated >= self.max_chunks() {
                let returned = writer.written.recv();
                return returned.map_err(|_| self.writer_failure());
            }
        }
        if let Some(chunk) = self.spare.pop() {
            return Ok(chunk);
        }
        self.allocated += 1;
        Ok(Vec::with_capacity(self.chunk_len))
    }

    /// Hands every chunk in memory to the writer thread (started on first use).
    fn hand_to_writer(&mut self) -> std::io::Result<()> {
        if self.writer.is_none() {
            let file = tempfile::tempfile_in(&self.dir)?;
            let (chunks, to_write) = std::sync::mpsc::channel::<Vec<u64>>();
            let (give_back, written) = std::sync::mpsc::channel();
            let thread = std::thread::Builder::new()
                .name("wiretrace-spill".into())
                .spawn(move || write_chunks(file, to_write, give_back))?;
            self.writer = Some(SpillWriter {
                chunks,
                written,
                thread,
            });
        }
        let Some(writer) = &self.writer else {
            unreachable!("started above")
        };
        let sent = std::mem::take(&mut self.chunks)
            .into_iter()
            .try_for_each(|chunk| writer.chunks.send(chunk));
        if sent.is_err() {
            return Err(self.writer_failure());
        }
        self.in_file += self.in_memory as u64;
        self.in_memory = 0;
        Ok(())
    }

    /// The writer thread's error, once it has stopped.
    fn writer_failure(&mut self) -> std::io::Error {
        match self.writer.take().map(|w| w.thread.join()) {
            Some(Ok(Err(e))) => e,
            _ => std::io::Error::other("the spill writer stopped"),
        }
    }

    /// Waits for the writer to finish, so that every set can be read back.
    fn seal(mut self) -> std::io::Result<SealedSpill> {
        let mut file = None;
        if let Some(writer) = self.writer.take() {
            drop(writer.chunks);
            let written = writer
                .thread
                .join()
                .map_err(|_| std::io::Error::other("the spill writer panicked"))??;
            file = Some(written);
        }
        Ok(SealedSpill {
            chunks: self.chunks,
            file,
            in_file: self.in_file,
            index: self.index,
            chunk_len: self.chunk_len,
        })
    }
}

/// The records of a [`Spill`] once all are pushed: in the file up to word number
/// `in_file`, in memory chunks after it.
struct SealedSpill {
    chunks: Vec<Vec<u64>>,
    file: Option<std::fs::File>,
    in_file: u64,
    index: Vec<(u64, u32)>,
    chunk_len: usize,
}

impl SealedSpill {
    /// The signature at the head of the record pushed `i`-th (see [`push_signature`]).
    fn read_signature(&self, i: u32, num_perm: usize) -> std::io::Result<Signature> {
        let words = self.read_head(i, signature_words(num_perm))?;
        Ok(signature_of(&words, num_perm))
    }

    /// The record pushed `i`-th.
    fn read(&self, i: u32) -> std::io::Result<Vec<u64>> {
        self.read_head(i, usize::MAX)
    }

    /// The first `most` words of the record pushed `i`-th.
    fn read_head(&self, i: u32, most: usize) -> std::io::Result<Vec<u64>> {
        let (start, n) = self.index[i as usize];
        let n = n.min(u32::try_from(most).unwrap_or(u32::MAX));
        if start >= self.in_file {
            let mut at = (start - self.in_file) as usize;
            let end = at + n as usize;
            let mut set = Vec::with_capacity(n as usize);
            while at < end {
                let (chunk, offset) = (at / self.chunk_len, at % self.chunk_len);
                let take = (end - at).min(self.chunk_len - offset);
                set.extend_from_slice(&self.chunks[chunk][offset..offset + take]);
                at += take;
            }
            return Ok(set);
        }
        let Some(file) = &self.file else {
            return Err(std::io::Error::other("spill file missing"));
        };
        let mut buf = vec![0u8; n as usize * 8];
        read_exact_at(file, &mut buf, start * 8)?;
        Ok(buf
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
            .collect())
    }
}

/// The spill writer's loop: every chunk received is appended to `file` as little-endian
/// words and sent back emptied. After an error it keeps sending chunks back (so the
/// pipeline never waits on it) and reports the error when the channel closes.
fn write_chunks(
    mut file: std::fs::File,
    chunks: std::sync::mpsc::Receiver<Vec<u64>>,
    give_back: std::sync::mpsc::Sender<Vec<u64>>,
) -> std::io::Result<std::fs::File> {
    use std::io::Write;
    const WORDS: usize = 8192;
    let mut bytes = vec![0u8; 8 * WORDS];
    let mut result = Ok(());
    for mut chunk in chunks {
        if result.is_ok() {
            result = chunk.chunks(WORDS).try_for_each(|piece| {
                for (out, h) in bytes.chunks_exact_mut(8).zip(piece) {
                    out.copy_from_slice(&h.to_le_bytes());
                }
                file.write_all(&bytes[..8 * piece.len()])
            });
        }
        chunk.clear();
        // The receiving end is gone only when the spill was dropped: nothing to do.
        let _ = give_back.send(chunk);
    }
    result.map(|()| file)
}

#[cfg(unix)]
fn read_exact_at(file: &std::fs::File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(windows)]
fn read_exact_at(file: &std::fs::File, mut buf: &mut [u8], mut offset: u64) -> std::io::Result<()> {
    while !buf.is_empty() {
        let n = std::os::windows::fs::FileExt::seek_read(file, buf, offset)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf = &mut buf[n..];
        offset += n as u64;
    }
    Ok(())
}

/// Earliest dated first (undated last), then most shingles, then input order.
fn prefer_representative(docs: &[Document], counts: &[usize], x: u32, y: u32) -> Ordering {
    let (dx, dy) = (&docs[x as usize], &docs[y as usize]);
    let date = match (dx.timestamp, dy.timestamp) {
        (Some(a), Some(b)) => a.cmp(&b),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    };
    date.then(counts[y as usize].cmp(&counts[x as usize]))
        .then(x.cmp(&y))
}

#[cfg(test)]
mod tests {
    use super::*;

    const STORY: &str = "China will take a raft of policy measures to push forward the \
        high-quality development of the rare earth industry, according to a decision made at \
        the State Council executive meeting chaired by Premier Li Qiang on Friday.";

    #[test]
    fn spilled_sets_read_back_across_chunks_and_the_file() {
        // Chunks of 5 shingles and a spill every 64 bytes: sets straddle chunk borders,
        // some are read from the file, the last ones from memory after chunks were reused.
        let dir = tempfile::tempdir().unwrap();
        let mut spill = Spill::new(dir.path(), 64).unwrap();
        spill.chunk_len = 5;
        let sets: Vec<Vec<u64>> = (0..40u64)
            .map(|i| (0..(i * 7) % 13).map(|j| i * 1000 + j).collect())
            .collect();
        for set in &sets {
            spill.push(set).unwrap();
        }
        assert!(spill.in_file > 0 && spill.in_memory > 0);
        let spill = spill.seal().unwrap();
        for (i, set) in sets.iter().enumerate() {
            assert_eq!(&spill.read(i as u32).unwrap(), set, "set {i}");
        }
    }

    #[test]
    fn a_signature_comes_back_from_its_record_as_it_went_in() {
        for num_perm in [1, 2, 7, 128, 129] {
            let signature: Signature = (0..num_perm as u32)
                .map(|v| v.wrapping_mul(0x9E37_79B9) ^ u32::MAX)
                .collect();
            let mut record = Vec::new();
            push_signature(&mut record, &signature);
            assert_eq!(record.len(), signature_words(num_perm));
            record.extend_from_slice(&[5, 6]);
            assert_eq!(
                signature_of(&record[..signature_words(num_perm)], num_perm),
                signature
            );
        }
    }

    #[test]
    fn signatures_put_aside_give_the_pairs_and_groups_of_signatures_held() {
        // 40 copies of one story (a group of identical signatures larger than
        // `COLLAPSE_ABOVE`, collapsed to a star), edited copies, a story of its own,
        // and an odd signature length (the last spill word half used).
        let mut docs: Vec<Document> = (0..40)
            .map(|i| Document::new(format!("copy{i}"), STORY))
            .collect();
        for (i, edit) in ["Kyodo", "Xinhua", "AP"].iter().enumerate() {
            docs.insert(
                7 * i + 3,
                Document::new(format!("edit{i}"), format!("{STORY} Source: {edit} news")),
            );
        }
        docs.push(Document::new(
            "other",
            "A different story about markets, rates and bonds in Tokyo today.",
        ));
        let source = |sink: &mut dyn FnMut(Document)| {
            docs.iter().cloned().for_each(&mut *sink);
            Ok(Corpus::default())
        };
        for num_perm in [128, 61] {
            let config = DupsConfig {
                num_perm,
                threshold: 0.5,
                ..DupsConfig::default()
            };
            let held = find_duplicates(&docs, &config).unwrap();
            assert_eq!(held.collapsed_groups, 1);
            assert!(held.pairs.len() > 40);
            for spill_after in [1 << 20, 64, 0] {
                let options = StreamOptions {
                    batch: Some(5),
                    spill_after_bytes: Some(spill_after),
                    ..StreamOptions::default()
                };
                let (_, streamed) =
                    stream_documents(&source, &config, &options, &|_| {}, &mut ()).unwrap();
                // The estimates too: they are made from the signatures read back.
                assert_eq!(streamed.pairs, held.pairs, "{num_perm} {spill_after}");
                assert_eq!(
                    (streamed.candidates, streamed.collapsed_groups),
                    (held.candidates, held.collapsed_groups)
                );
                assert_eq!(streamed.largest_bucket, held.largest_bucket);
            }
        }
    }

    #[test]
    fn earliest_copy_represents_the_family() {
        let docs = vec![
            Document::new("late", STORY).with_date("2023-10-30"),
            Document::new("early", format!("{STORY} Source: China Daily")).with_date("2023-10-28"),
            Document::new("undated", STORY),
        ];
        let report = find_duplicates(&docs, &DupsConfig::default()).unwrap();
        assert_eq!(report.families.len(), 1);
        assert_eq!(report.families[0].representative, 1);
        assert_eq!(report.pairs.len(), 3);
    }

    #[test]
    fn a_document_source_streams_to_the_same_result() {
        let docs = vec![
            Document::new("late", STORY).with_date("2023-10-30"),
            Document::new(
                "other",
                "A different story about markets, rates and bonds today.",
            ),
            Document::new("early", format!("{STORY} Source: China Daily")).with_date("2023-10-28"),
            Document::new("none", "!!!"),
            Document::new("undated", STORY),
        ];
        let config = DupsConfig::default();
        let held = find_duplicates(&docs, &config).unwrap();
        let source = |sink: &mut dyn FnMut(Document)| {
            docs.iter().cloned().for_each(&mut *sink);
            Ok(Corpus::default())
        };
        let options = StreamOptions {
            batch: Some(2),
            ..StreamOptions::default()
        };
        let (corpus, streamed) =
            stream_documents(&source, &config, &options, &|_| {}, &mut ()).unwrap();
        let pairs =
            |r: &DupsReport| -> Vec<(u32, u32)> { r.pairs.iter().map(|p| (p.a, p.b)).collect() };
        assert_eq!(pairs(&streamed), pairs(&held));
        assert_eq!(pairs(&held), [(0, 2), (0, 4), (2, 4)]);
        assert_eq!(streamed.families[0].representative, 2);
        assert_eq!(streamed.skipped.len(), 1);
        // The texts were dropped once signed; the metadata stays, in input order.
        let ids: Vec<&str> = corpus.documents.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["late", "other", "early", "none", "undated"]);
        assert!(corpus.documents.iter().all(|d| d.text.is_empty()));

        // A sink sees every pair, in the report's order, and can stop the run.
        struct FirstOnly(Vec<(u32, u32)>);
        impl PairSink for FirstOnly {
            fn pair(&mut self, docs: &[Document], p: &VerifiedPair) -> Result<Flow> {
                assert!(docs[p.a as usize].text.is_empty());
                self.0.push((p.a, p.b));
                Ok(Flow::Stop)
            }
        }
        let mut first = FirstOnly(Vec::new());
        let (_, stopped) =
            stream_documents(&source, &config, &options, &|_| {}, &mut first).unwrap();
        assert_eq!(first.0, [(0, 2)]);
        assert_eq!(pairs(&stopped), [(0, 2)]);
        assert_eq!(stopped.families[0].members, [0, 2]);
        let mut all: Vec<VerifiedPair> = Vec::new();
        struct Collect<'a>(&'a mut Vec<VerifiedPair>);
        impl PairSink for Collect<'_> {
            fn pair(&mut self, _: &[Document], p: &VerifiedPair) -> Result<Flow> {
                self.0.push(*p);
                Ok(Flow::Continue)
            }
        }
        stream_documents(&source, &config, &options, &|_| {}, &mut Collect(&mut all)).unwrap();
        assert_eq!(all, streamed.pairs);
    }

    #[test]
    fn token_free_documents_are_reported_not_matched() {
        let docs = vec![
            Document::new("a", "!!!"),
            Document::new("b", "🎉🎉"),
            Document::new("c", STORY),
        ];
        let report = find_duplicates(&docs, &DupsConfig::default()).unwrap();
        assert!(report.pairs.is_empty());
        assert_eq!(report.documents, 1);
        assert_eq!(report.skipped.len(), 2);
        assert_eq!(report.skipped[0].reason, SkipReason::NoTokens);
    }

    #[test]
    fn bad_parameters_are_errors() {
        let bad = DupsConfig {
            threshold: 1.5,
            ..DupsConfig::default()
        };
        assert!(find_duplicates(&[], &bad).is_err());
        let bad = DupsConfig {
            lsh: Some(LshParams::uniform(64, 4)),
            ..DupsConfig::default()
        };
        assert!(find_duplicates(&[], &bad).is_err());
    }
}
