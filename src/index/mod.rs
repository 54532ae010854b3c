//! The persistent, incremental index: yesterday's archive indexed once, today's crawl
//! checked against it.
//!
//! An index is a folder: a [`manifest`] naming immutable [`segment`] files, one per
//! `build` or `add`. A segment stores its documents (as JSON records), their MinHash
//! signatures, and sorted tables of LSH band keys, passage fingerprints, id hashes and the
//! verified pairs found when it was added. The parameters (shingling, seed, permutations,
//! bands, passage and boilerplate settings) are fixed in the manifest when the index is
//! created; every later call uses them.
//!
//! Adding a batch costs what the batch touches, not what the index holds:
//!
//! 1. the batch is shingled, signed and banded in memory, and its own pairs are found
//!    exactly as a batch run would find them ([`candidate_pairs`], then exact
//!    verification);
//! 2. each band key and passage fingerprint of the batch is looked up in every segment's
//!    sorted tables (a binary search over in-memory fences, then one checksummed 4 KiB block
//!    read), giving the stored documents that share a bucket or a passage;
//! 3. those stored documents are read back, verified exactly against the new ones, and —
//!    with their own stored pairs and passage neighbours — form the *neighbourhood* on which
//!    the passage and lineage stages run, so every lineage edge that involves a new document
//!    is decided with the same evidence a batch run over the whole corpus would see;
//! 4. a new segment is written and the manifest swapped atomically.
//!
//! Document ordinals are global and never reused: the first document of the index is 0,
//! and a batch's documents follow the last stored one in input order, so an index built in
//! several steps orders its documents as one batch run over the same inputs would.
//! `--replace` retires the old ordinal (a tombstone in the new segment) and stores the new
//! version under a new one.

pub mod manifest;
mod query;
pub mod segment;

pub use query::{Role, SourceMatch};

use std::fs;
use std::path::{Path, PathBuf};

use ahash::{AHashMap, AHashSet};
use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64;

use crate::corpus::{Document, DocumentRecord, Skip, SkipReason};
use crate::error::{Error, Result};
use crate::lineage::{self, Lineage, PairEvidence};
use crate::lsh::{Candidates, LshParams, band_keys, candidate_pairs};
use crate::minhash::{MinHasher, Signature};
use crate::normalize::{Token, tokenize};
use crate::passage;
use crate::shingle::shingle_set;
use crate::trace::{Trace, TraceConfig, trace};
use crate::verify::{VerifiedPair, verify_sides};
use manifest::{IndexParams, Manifest, SegmentRef, WriteLock, fault_point, sync_dir};
use segment::{DocEntry, Entry, Section, Segment, SegmentWriter, Table};

/// A batch sorted against the index ([`Index::sort_batch`]).
struct Sorted {
    /// The documents to add, in input order.
    batch: Vec<Document>,
    /// Documents whose id the index holds already (without `replace`).
    skipped: Vec<Skip>,
    /// `(id, stored ordinal)` of the documents a batch document replaces.
    replaced: Vec<(String, u32)>,
}

/// What a batch shares with stored documents ([`Index::pairs_with_stored`]).
struct StoredPairs {
    /// Verified pairs, stored ordinal first.
    pairs: Vec<VerifiedPair>,
    /// The stored documents in those candidates, sorted.
    olds: Vec<u32>,
    /// Those documents, read.
    docs: AHashMap<u32, Document>,
    /// Candidate pairs looked at.
    candidates: usize,
    /// Band buckets over `max_bucket`.
    oversized: usize,
}

/// What matching needs of one document, computed the same way for stored and new ones.
struct Analysed {
    /// Shingle set under the index's scheme, sorted.
    set: Vec<u64>,
    /// MinHash signature; `None` when the document has no shingle.
    signature: Option<Signature>,
    /// LSH band keys (empty without a signature).
    keys: Vec<u64>,
    /// Passage fingerprints of the raw tokens, sorted, distinct.
    fingerprints: Vec<u64>,
}

/// Options of [`Index::add`].
#[derive(Debug, Clone, Copy, Default)]
pub struct AddOptions {
    /// Replace stored documents whose id comes again (else the new one is skipped).
    pub replace: bool,
    /// Skip the passage and lineage stages over the neighbourhood (report pairs only):
    /// what `index build` does, where the neighbourhood is the whole batch.
    pub pairs_only: bool,
}

/// What an `add` (or `build`) found: only what involves the added documents.
#[derive(Debug)]
pub struct AddReport {
    /// Ordinals given to the added documents, in input order.
    pub added: Vec<u32>,
    /// Documents not added because their id is already stored.
    pub skipped: Vec<Skip>,
    /// Ids replaced (`--replace`), with the retired ordinal.
    pub replaced: Vec<(String, u32)>,
    /// Live documents before and after.
    pub documents_before: usize,
    /// Live documents after the add.
    pub documents_after: usize,
    /// The segment file written (empty when nothing was added).
    pub segment: String,
    /// The neighbourhood: stored documents the batch touches, then the batch, by ordinal.
    pub neighbourhood: Vec<Document>,
    /// Ordinal of each neighbourhood document.
    pub ordinals: Vec<u32>,
    /// Near-duplicate pairs with at least one added document; `a`, `b` are ordinals.
    pub pairs: Vec<VerifiedPair>,
    /// Candidate pairs proposed by LSH.
    pub candidates: usize,
    /// LSH buckets (in the batch or the index) cut to star pairs.
    pub oversized_buckets: usize,
    /// The passage-level stages run over the neighbourhood (indices into it); `None` with
    /// [`AddOptions::pairs_only`].
    pub trace: Option<Trace>,
    /// The lineage of the neighbourhood (indices into it).
    pub lineage: Option<Lineage>,
}

impl AddReport {
    /// Position in the neighbourhood of a document by ordinal.
    pub fn position(&self, ordinal: u32) -> Option<usize> {
        self.ordinals.binary_search(&ordinal).ok()
    }

    /// Is neighbourhood document `i` one of the added ones?
    pub fn is_added(&self, i: u32) -> bool {
        // Lineage nodes past the neighbourhood are inferred sources: never added.
        self.added
            .first()
            .is_some_and(|&first| self.ordinals.get(i as usize).is_some_and(|&o| o >= first))
    }

    /// Passage evidence of pairs with an added document (indices into the neighbourhood).
    pub fn passages(&self) -> impl Iterator<Item = &PairEvidence> {
        self.trace
            .iter()
            .flat_map(|t| &t.pairs)
            .filter(|p| self.is_added(p.a) || self.is_added(p.b))
    }

    /// Id of a lineage node of the neighbourhood: a document or an inferred source.
    pub fn node_id(&self, node: u32) -> &str {
        match &self.lineage {
            Some(l) => l.node(&self.neighbourhood, node).id,
            None => &self.neighbourhood[node as usize].id,
        }
    }

    /// Lineage edges with an added document (indices into the neighbourhood).
    pub fn edges(&self) -> Vec<&lineage::LineageEdge> {
        self.lineage
            .iter()
            .flat_map(|l| l.edges())
            .filter(|e| self.is_added(e.parent) || self.is_added(e.child))
            .collect()
    }
}

/// A persistent index, open for reading; [`Index::add`] takes the writers' lock.
#[derive(Debug)]
pub struct Index {
    dir: PathBuf,
    manifest: Manifest,
    segments: Vec<Segment>,
    retired: AHashSet<u32>,
    config: TraceConfig,
}

/// Reads of stored documents are grouped into chunks of about this many bytes.
const READ_CHUNK: u64 = 32 << 20;

impl Index {
    /// Creates an empty index in `dir` (created if missing; must hold no index).
    pub fn create(dir: &Path, config: &TraceConfig) -> Result<()> {
        if dir.join(manifest::MANIFEST).exists() {
            return Err(Error::Config(format!(
                "'{}' already holds an index; add to it with `wiretrace index add {} INPUT...`",
                dir.display(),
                dir.display()
            )));
        }
        if dir.is_dir() {
            let entries = fs::read_dir(dir).map_err(|source| Error::IndexIo {
                path: dir.to_path_buf(),
                source,
            })?;
            if entries.flatten().any(|e| e.file_name() != manifest::LOCK) {
                return Err(Error::Config(format!(
                    "'{}' is not empty; give a new or empty folder for the index",
                    dir.display()
                )));
            }
        }
        fs::create_dir_all(dir).map_err(|source| Error::IndexIo {
            path: dir.to_path_buf(),
            source,
        })?;
        let _lock = WriteLock::take(dir)?;
        Manifest::new(IndexParams::from_config(config)?).commit(dir)
    }

    /// Opens an index: checks the manifest, every segment's header and directory, and loads
    /// the fences (about 1/256 of the tables).
    pub fn open(dir: &Path) -> Result<Index> {
        let manifest = Manifest::read(dir)?;
        if manifest.params.signature_scheme != crate::minhash::SCHEME {
            return Err(Error::Config(format!(
                "the index '{}' holds signatures of the scheme '{}', which this wiretrace \
                 does not compute (it computes '{}'): signatures of different schemes cannot \
                 be compared, so the index must be rebuilt from its documents",
                dir.display(),
                manifest.params.signature_scheme,
                crate::minhash::SCHEME
            )));
        }
        let config = manifest.params.config()?;
        let mut segments = Vec::with_capacity(manifest.segments.len());
        let mut retired = AHashSet::new();
        let mut next = 0u32;
        for r in &manifest.segments {
            let seg = Segment::open(&dir.join(&r.file))?;
            if (seg.base, seg.docs, seg.bytes) != (r.base, r.docs, r.bytes) || r.base != next {
                return Err(Error::CorruptIndex {
                    path: seg.path().to_path_buf(),
                    detail: "does not match the manifest (documents or length differ)".into(),
                });
            }
            next = r.base + r.docs;
            let tombs = seg.read_section(Section::Tombstones)?;
            retired.extend(
                tombs
                    .chunks_exact(4)
                    .map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes"))),
            );
            segments.push(seg);
        }
        Ok(Index {
            dir: dir.to_path_buf(),
            manifest,
            segments,
            retired,
            config,
        })
    }

    /// The index's fixed configuration.
    pub fn config(&self) -> &TraceConfig {
        &self.config
    }

    /// The index's fixed parameters, as stored.
    pub fn params(&self) -> &IndexParams {
        &self.manifest.params
    }

    /// Live documents (stored minus replaced).
    pub fn len(&self) -> usize {
        self.manifest.stored() as usize - self.retired.len()
    }

    /// Does the index hold no live document?
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Segments, oldest first.
    pub fn segments(&self) -> &[SegmentRef] {
        &self.manifest.segments
    }

    fn hasher(&self) -> MinHasher {
        MinHasher::new(self.config.dups.num_perm, self.config.dups.seed)
    }

    fn lsh(&self) -> LshParams {
        self.config.dups.lsh.expect("resolved when opened")
    }

    fn locate(&self, ordinal: u32) -> (&Segment, u32) {
        let i = self
            .segments
            .partition_point(|s| s.base + s.docs <= ordinal);
        let seg = &self.segments[i];
        (seg, ordinal - seg.base)
    }

    /// Reads the stored document with this ordinal.
    pub fn document(&self, ordinal: u32) -> Result<Document> {
        if ordinal >= self.manifest.stored() {
            return Err(Error::Config(format!("no document with ordinal {ordinal}")));
        }
        let (seg, local) = self.locate(ordinal);
        let size = DocEntry::LEN as u64;
        let entry =
            DocEntry::decode(&seg.read_range(Section::Docs, u64::from(local) * size, size)?);
        let raw = seg.read_range(Section::Records, entry.offset, u64::from(entry.len))?;
        parse_record(seg, local, &raw)
    }

    /// Every live document in ordinal order, with its ordinal.
    pub fn documents(&self) -> Result<Vec<(u32, Document)>> {
        let mut out = Vec::with_capacity(self.len());
        for seg in &self.segments {
            let table = seg.read_section(Section::Docs)?;
            let entries: Vec<(u64, u64)> = table
                .chunks_exact(DocEntry::LEN)
                .map(|b| {
                    let e = DocEntry::decode(b);
                    (e.offset, u64::from(e.len))
                })
                .collect();
            let mut start = 0;
            while start < entries.len() {
                let from = entries[start].0;
                let mut end = start;
                while end < entries.len() && entries[end].0 + entries[end].1 - from <= READ_CHUNK {
                    end += 1;
                }
                end = end.max(start + 1);
                let to = entries[end - 1].0 + entries[end - 1].1;
                let chunk = seg.read_range(Section::Records, from, to - from)?;
                let docs: Vec<Result<(u32, Document)>> = (start..end)
                    .into_par_iter()
                    .map(|i| {
                        let (o, l) = entries[i];
                        let at = (o - from) as usize;
                        let doc = parse_record(seg, i as u32, &chunk[at..at + l as usize])?;
                        Ok((seg.base + i as u32, doc))
                    })
                    .collect();
                for d in docs {
                    let (ordinal, doc) = d?;
                    if !self.retired.contains(&ordinal) {
                        out.push((ordinal, doc));
                    }
                }
                start = end;
            }
        }
        Ok(out)
    }

    /// Live ordinals stored under each of `keys` (sorted, distinct) in a table, at most
    /// `limit` per key and segment.
    fn postings(&self, table: Table, keys: &[u64], limit: usize) -> Result<Vec<Vec<u32>>> {
        let ranges: Vec<(u64, u64)> = keys.iter().map(|&k| (k, k)).collect();
        let mut out = vec![Vec::new(); keys.len()];
        for seg in &self.segments {
            seg.scan(table, &ranges, limit, |probe, e| {
                let ordinal = seg.base + e.doc;
                if !self.retired.contains(&ordinal) {
                    out[probe].push(ordinal);
                }
            })?;
        }
        Ok(out)
    }

    /// Stored near-duplicate neighbours of `ordinals` (from the pairs tables).
    fn stored_pair_neighbours(&self, ordinals: &[u32]) -> Result<Vec<u32>> {
        let ranges: Vec<(u64, u64)> = ordinals
            .iter()
            .map(|&o| (u64::from(o) << 32, u64::from(o) << 32 | u64::from(u32::MAX)))
            .collect();
        let mut out = Vec::new();
        for seg in &self.segments {
            for table in [Table::Pairs, Table::PairsByB] {
                seg.scan(table, &ranges, usize::MAX, |_, e| {
                    let other = (e.key & u64::from(u32::MAX)) as u32;
                    if !self.retired.contains(&other) {
                        out.push(other);
                    }
                })?;
            }
        }
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }

    fn analyse(&self, doc: &Document, hasher: &MinHasher) -> (Analysed, Vec<Token>) {
        let set = shingle_set(&doc.text, self.config.dups.scheme);
        let signature = (!set.is_empty()).then(|| hasher.signature(&set));
        let keys = signature
            .as_ref()
            .map(|s| band_keys(s, self.lsh()))
            .unwrap_or_default();
        let tokens = tokenize(&doc.text);
        let fingerprints = passage::fingerprints(&tokens, &self.config.passage);
        let analysed = Analysed {
            set,
            signature,
            keys,
            fingerprints,
        };
        (analysed, tokens)
    }

    /// Stored documents sharing at least `min_shared_fingerprints` fingerprints (each in at
    /// most `max_df` documents, counting `extra_df` of them outside the index) with each of
    /// `docs`: `(stored ordinal, position in docs)`, sorted.
    fn fingerprint_neighbours(
        &self,
        fingerprints: &[&[u64]],
        extra_df: &AHashMap<u64, usize>,
    ) -> Result<(Vec<(u32, u32)>, usize)> {
        let pc = &self.config.passage;
        let mut probes: Vec<(u64, u32)> = fingerprints
            .iter()
            .enumerate()
            .flat_map(|(i, fps)| fps.iter().map(move |&f| (f, i as u32)))
            .collect();
        probes.sort_unstable();
        let keys: Vec<u64> = probes.chunk_by(|x, y| x.0 == y.0).map(|g| g[0].0).collect();
        let stored = self.postings(Table::Fingerprints, &keys, pc.max_df + 1)?;
        let mut shared: Vec<(u32, u32)> = Vec::new();
        let mut capped = 0;
        for (group, olds) in probes.chunk_by(|x, y| x.0 == y.0).zip(&stored) {
            if olds.is_empty() {
                continue;
            }
            let df = olds.len() + extra_df.get(&group[0].0).copied().unwrap_or(group.len());
            if df > pc.max_df {
                capped += 1;
                continue;
            }
            for &(_, i) in group {
                shared.extend(olds.iter().map(|&o| (o, i)));
            }
        }
        shared.sort_unstable();
        let pairs = shared
            .chunk_by(|x, y| x == y)
            .filter(|run| run.len() >= pc.min_shared_fingerprints)
            .map(|run| run[0])
            .collect();
        Ok((pairs, capped))
    }

    /// Stored documents sharing an LSH bucket with each of `keys`' owners:
    /// `(stored ordinal, owner)`, sorted, and the number of oversized buckets.
    fn band_neighbours(&self, keys: &[(u64, u32)]) -> Result<(Vec<(u32, u32)>, usize)> {
        let max_bucket = self.config.dups.max_bucket;
        let mut probes = keys.to_vec();
        probes.sort_unstable();
        let distinct: Vec<u64> = probes.chunk_by(|x, y| x.0 == y.0).map(|g| g[0].0).collect();
        let stored = self.postings(Table::Bands, &distinct, max_bucket + 1)?;
        let mut out = Vec::new();
        let mut oversized = 0;
        for (group, olds) in probes.chunk_by(|x, y| x.0 == y.0).zip(&stored) {
            if olds.is_empty() {
                continue;
            }
            if olds.len() + group.len() > max_bucket {
                // As in a batch run: an oversized bucket pairs its first member only.
                oversized += 1;
                let first = *olds.iter().min().expect("not empty");
                out.extend(group.iter().map(|&(_, i)| (first, i)));
            } else {
                for &(_, i) in group {
                    out.extend(olds.iter().map(|&o| (o, i)));
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        Ok((out, oversized))
    }

    /// Reads stored documents (distinct ordinals) in parallel.
    fn read_documents(&self, ordinals: &[u32]) -> Result<AHashMap<u32, Document>> {
        let docs: Vec<(u32, Document)> = ordinals
            .par_iter()
            .map(|&o| Ok((o, self.document(o)?)))
            .collect::<Result<_>>()?;
        Ok(docs.into_iter().collect())
    }

    fn signature(&self, ordinal: u32) -> Result<Signature> {
        let (seg, local) = self.locate(ordinal);
        let width = self.config.dups.num_perm as u64 * 4;
        let raw = seg.read_range(Section::Signatures, u64::from(local) * width, width)?;
        Ok(raw
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes")))
            .collect())
    }

    /// Ordinals of the stored documents with these ids (None where absent).
    fn find_ids(&self, ids: &[&str]) -> Result<Vec<Option<u32>>> {
        let mut probes: Vec<(u64, usize)> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (xxh3_64(id.as_bytes()), i))
            .collect();
        probes.sort_unstable();
        let keys: Vec<u64> = probes.chunk_by(|x, y| x.0 == y.0).map(|g| g[0].0).collect();
        let hits = self.postings(Table::Ids, &keys, usize::MAX)?;
        let mut out = vec![None; ids.len()];
        for (group, ordinals) in probes.chunk_by(|x, y| x.0 == y.0).zip(hits) {
            for o in ordinals {
                // Equal hashes of different ids are told apart by reading the record.
                let stored = self.document(o)?;
                for &(_, i) in group {
                    if stored.id == ids[i] {
                        out[i] = Some(o);
                    }
                }
            }
        }
        Ok(out)
    }

    /// Removes what an interrupted writer left: temporary files and segments the manifest
    /// does not name.
    fn remove_leftovers(&self) -> Result<()> {
        let named: AHashSet<&str> = self
            .manifest
            .segments
            .iter()
            .map(|s| s.file.as_str())
            .collect();
        let entries = fs::read_dir(&self.dir).map_err(|source| Error::IndexIo {
            path: self.dir.clone(),
            source,
        })?;
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let leftover = name.ends_with(".tmp")
                || (name.starts_with("seg-")
                    && name.ends_with(".wts")
                    && !named.contains(name.as_str()));
            if leftover {
                fs::remove_file(e.path()).map_err(|source| Error::IndexIo {
                    path: e.path(),
                    source,
                })?;
            }
        }
        Ok(())
    }

    /// Adds a batch of documents and reports what involves them. Atomic: if the process
    /// dies before the manifest is swapped, the index is as it was.
    pub fn add(&mut self, docs: Vec<Document>, options: &AddOptions) -> Result<AddReport> {
        let lock = WriteLock::take(&self.dir)?;
        // Another writer may have committed since this index was opened.
        *self = Index::open(&self.dir)?;
        let result = self.add_locked(docs, options);
        drop(lock);
        if result.is_err()
            && let Ok(fresh) = Index::open(&self.dir)
        {
            *self = fresh;
        }
        result
    }

    fn add_locked(&mut self, docs: Vec<Document>, options: &AddOptions) -> Result<AddReport> {
        self.remove_leftovers()?;
        let documents_before = self.len();
        let Sorted {
            batch,
            skipped,
            replaced,
        } = self.sort_batch(docs, options)?;
        let base = self.manifest.stored();
        if u64::from(base) + batch.len() as u64 > u64::from(u32::MAX) {
            return Err(Error::Config("an index holds at most 2³² documents".into()));
        }
        // Replaced documents are no candidates for their successors.
        self.retired.extend(replaced.iter().map(|&(_, o)| o));

        let hasher = self.hasher();
        let mut analysed: Vec<Analysed> = batch
            .par_iter()
            .map(|d| self.analyse(d, &hasher).0)
            .collect();
        let (mut pairs, inner) = self.pairs_within(base, &analysed);
        let stored = self.pairs_with_stored(base, &analysed)?;
        pairs.extend(stored.pairs);
        pairs.sort_by_key(|p| (p.a, p.b));
        // Shingle sets are done with; a large batch needs the memory for its tables.
        for a in &mut analysed {
            a.set = Vec::new();
        }

        // `build` reports pairs only: its neighbourhood is the stored half of its pairs.
        let (neighbourhood_olds, mut stored_docs) = if options.pairs_only {
            (stored.olds, stored.docs)
        } else {
            self.neighbourhood(base, &analysed, &pairs, stored.docs)?
        };

        let segment = if batch.is_empty() {
            String::new()
        } else {
            self.write_segment(&batch, &analysed, &pairs, &replaced)?
        };

        let mut neighbourhood: Vec<Document> = neighbourhood_olds
            .iter()
            .map(|o| stored_docs.remove(o).expect("read above"))
            .collect();
        let mut ordinals = neighbourhood_olds;
        let added: Vec<u32> = (base..base + batch.len() as u32).collect();
        ordinals.extend(&added);
        neighbourhood.extend(batch);
        let (traced, lineage) = if options.pairs_only {
            (None, None)
        } else {
            let traced = trace(&neighbourhood, &self.config)?;
            let lineage = traced.lineage(&neighbourhood);
            (Some(traced), Some(lineage))
        };

        Ok(AddReport {
            added,
            skipped,
            replaced,
            documents_before,
            documents_after: self.len(),
            segment,
            neighbourhood,
            ordinals,
            pairs,
            candidates: inner.pairs.len() + stored.candidates,
            oversized_buckets: inner.oversized_buckets + stored.oversized,
            trace: traced,
            lineage,
        })
    }

    /// The documents of a batch against the ids already stored: a document whose id is
    /// held is skipped, or with `replace` added in place of the stored one.
    fn sort_batch(&self, docs: Vec<Document>, options: &AddOptions) -> Result<Sorted> {
        let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
        let present = self.find_ids(&ids)?;
        let mut sorted = Sorted {
            batch: Vec::with_capacity(docs.len()),
            skipped: Vec::new(),
            replaced: Vec::new(),
        };
        for (doc, old) in docs.into_iter().zip(present) {
            match old {
                Some(_) if !options.replace => sorted.skipped.push(Skip {
                    origin: doc.origin.clone(),
                    id: Some(doc.id.clone()),
                    reason: SkipReason::AlreadyIndexed { id: doc.id },
                }),
                Some(o) => {
                    sorted.replaced.push((doc.id.clone(), o));
                    sorted.batch.push(doc);
                }
                None => sorted.batch.push(doc),
            }
        }
        Ok(sorted)
    }

    /// Pairs inside the batch, exactly as a batch run finds them (ordinals from `base`),
    /// and the candidates they came from.
    fn pairs_within(&self, base: u32, analysed: &[Analysed]) -> (Vec<VerifiedPair>, Candidates) {
        let active: Vec<u32> = (0..analysed.len() as u32)
            .filter(|&i| analysed[i as usize].signature.is_some())
            .collect();
        let signatures: Vec<Signature> = active
            .iter()
            .map(|&i| analysed[i as usize].signature.clone().expect("active"))
            .collect();
        let inner = candidate_pairs(&signatures, self.lsh(), self.config.dups.max_bucket);
        let side = |x: u32| {
            let set = &analysed[active[x as usize] as usize].set;
            (set.as_slice(), signatures[x as usize].as_slice())
        };
        let mut pairs = verify_sides(&inner.pairs, side, side, self.config.dups.threshold);
        for p in &mut pairs {
            (p.a, p.b) = (base + active[p.a as usize], base + active[p.b as usize]);
        }
        (pairs, inner)
    }

    /// Pairs of batch documents with stored ones: shared buckets, then exact verification
    /// against the stored documents' sets, made again from their text.
    fn pairs_with_stored(&self, base: u32, analysed: &[Analysed]) -> Result<StoredPairs> {
        let keys: Vec<(u64, u32)> = analysed
            .iter()
            .enumerate()
            .flat_map(|(i, a)| a.keys.iter().map(move |&k| (k, i as u32)))
            .collect();
        let (candidates, oversized) = self.band_neighbours(&keys)?;
        let mut olds: Vec<u32> = candidates.iter().map(|&(o, _)| o).collect();
        olds.sort_unstable();
        olds.dedup();
        let docs = self.read_documents(&olds)?;
        let sets: Vec<(u32, (Vec<u64>, Signature))> = olds
            .par_iter()
            .map(|&o| {
                // `shingle_set` is sorted and repeat-free already.
                let set = shingle_set(&docs[&o].text, self.config.dups.scheme);
                Ok((o, (set, self.signature(o)?)))
            })
            .collect::<Result<_>>()?;
        let sets: AHashMap<u32, (Vec<u64>, Signature)> = sets.into_iter().collect();
        let stored_side = |o: u32| {
            let (set, sig) = &sets[&o];
            (set.as_slice(), sig.as_slice())
        };
        let new_side = |i: u32| {
            let new = &analysed[i as usize];
            let sig = new.signature.as_deref().expect("banded");
            (new.set.as_slice(), sig)
        };
        let threshold = self.config.dups.threshold;
        let mut pairs = verify_sides(&candidates, stored_side, new_side, threshold);
        for p in &mut pairs {
            p.b += base;
        }
        Ok(StoredPairs {
            pairs,
            olds,
            docs,
            candidates: candidates.len(),
            oversized,
        })
    }

    /// The neighbourhood of a batch: stored documents paired with it (`pairs`, whose
    /// stored members are read already in `old_docs`) or sharing passages with it, and one
    /// hop further, so their own best parents are seen too. Returns their ordinals, sorted,
    /// and the documents read.
    fn neighbourhood(
        &self,
        base: u32,
        analysed: &[Analysed],
        pairs: &[VerifiedPair],
        old_docs: AHashMap<u32, Document>,
    ) -> Result<(Vec<u32>, AHashMap<u32, Document>)> {
        let mut batch_df: AHashMap<u64, usize> = AHashMap::new();
        for a in analysed {
            for &f in &a.fingerprints {
                *batch_df.entry(f).or_default() += 1;
            }
        }
        let batch_fps: Vec<&[u64]> = analysed.iter().map(|a| a.fingerprints.as_slice()).collect();
        let (passage_neighbours, _) = self.fingerprint_neighbours(&batch_fps, &batch_df)?;
        let mut first_ring: Vec<u32> = pairs
            .iter()
            .filter(|p| p.a < base)
            .map(|p| p.a)
            .chain(passage_neighbours.iter().map(|&(o, _)| o))
            .collect();
        first_ring.sort_unstable();
        first_ring.dedup();
        let mut ring_docs = self.read_documents(
            &first_ring
                .iter()
                .copied()
                .filter(|o| !old_docs.contains_key(o))
                .collect::<Vec<_>>(),
        )?;
        ring_docs.extend(old_docs);
        let ring_fps: Vec<Vec<u64>> = first_ring
            .par_iter()
            .map(|o| passage::fingerprints(&tokenize(&ring_docs[o].text), &self.config.passage))
            .collect();
        let ring_fp_refs: Vec<&[u64]> = ring_fps.iter().map(Vec::as_slice).collect();
        let (second, _) = self.fingerprint_neighbours(&ring_fp_refs, &batch_df)?;
        let mut neighbourhood_olds: Vec<u32> = first_ring.clone();
        neighbourhood_olds.extend(second.iter().map(|&(o, _)| o));
        neighbourhood_olds.extend(self.stored_pair_neighbours(&first_ring)?);
        neighbourhood_olds.sort_unstable();
        neighbourhood_olds.dedup();
        let missing: Vec<u32> = neighbourhood_olds
            .iter()
            .copied()
            .filter(|o| !ring_docs.contains_key(o))
            .collect();
        ring_docs.extend(self.read_documents(&missing)?);
        Ok((neighbourhood_olds, ring_docs))
    }

    /// Writes the batch's segment and swaps the manifest. Returns the segment's file name.
    fn write_segment(
        &mut self,
        batch: &[Document],
        analysed: &[Analysed],
        pairs: &[VerifiedPair],
        replaced: &[(String, u32)],
    ) -> Result<String> {
        let base = self.manifest.stored();
        let file = format!("seg-{:06}.wts", self.manifest.next_segment);
        let tmp = self.dir.join(format!("{file}.tmp"));
        let mut w = SegmentWriter::create(&tmp, u64::from(base), batch.len() as u64)?;
        // Removed on SIGINT/SIGTERM (a kill -9 leaves it to the next open's clean-up).
        crate::export::target::register_temporary(&tmp);
        write_records(&mut w, batch, analysed)?;
        write_signatures(&mut w, analysed, self.config.dups.num_perm)?;
        write_tables(&mut w, batch, analysed, pairs)?;
        let tombs: Vec<u8> = replaced.iter().flat_map(|(_, o)| o.to_le_bytes()).collect();
        w.section(Section::Tombstones, &tombs)?;
        let bytes = w.finish()?;
        fault_point("segment-written");
        self.publish(&tmp, file, base, batch.len() as u32, bytes)
    }

    /// Renames a written segment into place and commits a manifest that lists it: until
    /// the manifest is committed, the index is as it was.
    fn publish(
        &mut self,
        tmp: &Path,
        file: String,
        base: u32,
        docs: u32,
        bytes: u64,
    ) -> Result<String> {
        let path = self.dir.join(&file);
        let renamed = fs::rename(tmp, &path);
        crate::export::target::unregister_temporary(tmp);
        renamed.map_err(|source| Error::IndexIo {
            path: tmp.to_path_buf(),
            source,
        })?;
        sync_dir(&self.dir)?;
        fault_point("segment-renamed");

        let mut next = self.manifest.clone();
        next.segments.push(SegmentRef {
            file: file.clone(),
            base,
            docs,
            bytes,
        });
        next.next_segment += 1;
        next.commit(&self.dir)?;
        self.manifest = next;
        // Only the new segment needs opening; the others are unchanged.
        self.segments.push(Segment::open(&path)?);
        Ok(file)
    }
}

/// The records section (each document's JSON record, serialised a chunk at a time so the
/// batch is never held twice) and the document table that points into it.
fn write_records(w: &mut SegmentWriter, batch: &[Document], analysed: &[Analysed]) -> Result<()> {
    let mut table = Vec::with_capacity(batch.len() * DocEntry::LEN);
    let mut offset = 0u64;
    w.begin(Section::Records);
    for (c, chunk) in batch.chunks(4096).enumerate() {
        let records: Vec<Vec<u8>> = chunk
            .par_iter()
            .map(|d| {
                serde_json::to_vec(&DocumentRecord::of(d).with_origin(&d.origin))
                    .expect("records serialise")
            })
            .collect();
        for (i, r) in records.iter().enumerate() {
            let entry = DocEntry {
                offset,
                len: r.len() as u32,
                has_tokens: analysed[c * 4096 + i].signature.is_some(),
            };
            table.extend_from_slice(&entry.encode());
            offset += r.len() as u64;
            w.write(r)?;
        }
        if c == batch.len() / 8192 {
            fault_point("segment-partial");
        }
    }
    w.end()?;
    w.section(Section::Docs, &table)
}

/// The signatures section: `num_perm` values per document, zeros for one without tokens.
fn write_signatures(w: &mut SegmentWriter, analysed: &[Analysed], num_perm: usize) -> Result<()> {
    w.begin(Section::Signatures);
    let empty = vec![0u32; num_perm];
    for a in analysed {
        let sig = a.signature.as_ref().unwrap_or(&empty);
        let bytes: Vec<u8> = sig.iter().flat_map(|v| v.to_le_bytes()).collect();
        w.write(&bytes)?;
    }
    w.end()
}

/// The sorted tables later batches probe: band keys, passage fingerprints, id hashes, and
/// the verified pairs from either end.
fn write_tables(
    w: &mut SegmentWriter,
    batch: &[Document],
    analysed: &[Analysed],
    pairs: &[VerifiedPair],
) -> Result<()> {
    let entries = |of: &dyn Fn(&Analysed) -> &[u64]| {
        let mut e: Vec<Entry> = analysed
            .iter()
            .enumerate()
            .flat_map(|(i, a)| {
                of(a).iter().map(move |&key| Entry {
                    key,
                    doc: i as u32,
                    aux: 0,
                })
            })
            .collect();
        e.par_sort_unstable();
        e
    };
    w.table(Table::Bands, &entries(&|a| &a.keys))?;
    w.table(Table::Fingerprints, &entries(&|a| &a.fingerprints))?;
    let mut ids: Vec<Entry> = batch
        .iter()
        .enumerate()
        .map(|(i, d)| Entry {
            key: xxh3_64(d.id.as_bytes()),
            doc: i as u32,
            aux: 0,
        })
        .collect();
    ids.sort_unstable();
    w.table(Table::Ids, &ids)?;
    let pair_entry = |x: u32, y: u32, p: &VerifiedPair| Entry {
        key: u64::from(x) << 32 | u64::from(y),
        doc: p.similarity.intersection as u32,
        aux: p.similarity.union as u32,
    };
    let mut by_a: Vec<Entry> = pairs.iter().map(|p| pair_entry(p.a, p.b, p)).collect();
    let mut by_b: Vec<Entry> = pairs.iter().map(|p| pair_entry(p.b, p.a, p)).collect();
    by_a.sort_unstable();
    by_b.sort_unstable();
    w.table(Table::Pairs, &by_a)?;
    w.table(Table::PairsByB, &by_b)
}

fn parse_record(seg: &Segment, local: u32, raw: &[u8]) -> Result<Document> {
    serde_json::from_slice::<DocumentRecord>(raw)
        .map(DocumentRecord::into_document)
        .map_err(|e| Error::CorruptIndex {
            path: seg.path().to_path_buf(),
            detail: format!("record of document {local} is unreadable: {e}"),
        })
}
