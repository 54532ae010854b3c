//! Writing an index: [`Index::add`] under the writers' lock — the batch sorted against the
//! stored ids, its pairs within itself and with stored documents, the passage and lineage
//! stages over its neighbourhood, then a new segment written and the manifest swapped (see
//! the steps in the parent module).

use std::fs;
use std::path::Path;

use ahash::{AHashMap, AHashSet};
use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64;

use super::manifest::{SegmentRef, WriteLock, fault_point, sync_dir};
use super::segment::{DocEntry, Entry, Section, Segment, SegmentWriter, Table};
use super::{Analysed, Index, Ordinal};
use crate::corpus::{Corpus, Document, DocumentRecord, Skip, SkipReason, Text};
use crate::dups::DocumentSource;
use crate::error::{Error, Result};
use crate::lineage::{self, Lineage, PairEvidence};
use crate::lsh::{Candidates, candidate_pairs};
use crate::minhash::Signature;
use crate::normalize::tokenize;
use crate::passage;
use crate::shingle::{ShingleSet, shingle_set};
use crate::trace::{Trace, find_passages};
use crate::verify::{VerifiedPair, verify_sides};

/// A batch sorted against the index ([`Index::sort_batch`]).
struct Sorted {
    /// The documents to add, in input order.
    batch: Vec<Document>,
    /// Documents whose id the index holds already (without `replace`).
    skipped: Vec<Skip>,
    /// `(id, stored ordinal)` of the documents a batch document replaces.
    replaced: Vec<(String, Ordinal)>,
}

/// What a batch shares with stored documents ([`Index::pairs_with_stored`]).
struct StoredPairs {
    /// Verified pairs, by ordinal, the stored one first.
    pairs: Vec<VerifiedPair>,
    /// The stored documents in those candidates, sorted.
    olds: Vec<Ordinal>,
    /// Those documents, read.
    docs: AHashMap<Ordinal, Document>,
    /// Candidate pairs looked at.
    candidates: usize,
    /// Band buckets over `max_bucket`.
    oversized: usize,
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
    pub added: Vec<Ordinal>,
    /// Documents not added because their id is already stored.
    pub skipped: Vec<Skip>,
    /// Ids replaced (`--replace`), with the retired ordinal.
    pub replaced: Vec<(String, Ordinal)>,
    /// Live documents before and after.
    pub documents_before: usize,
    /// Live documents after the add.
    pub documents_after: usize,
    /// The segment files written, in order (none when nothing was added; one per batch of
    /// a streamed build, [`Index::add_stream`]).
    pub segments: Vec<String>,
    /// The neighbourhood: stored documents the batch touches, then the batch, by ordinal.
    /// The pairs, passages and lineage below point into it by position.
    pub neighbourhood: Vec<Document>,
    /// Ordinal of each neighbourhood document.
    pub ordinals: Vec<Ordinal>,
    /// Near-duplicate pairs with at least one added document; `a`, `b` are positions in
    /// the neighbourhood (as in [`Self::passages`] and [`Self::edges`]).
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
    pub fn position(&self, ordinal: Ordinal) -> Option<usize> {
        self.ordinals.binary_search(&ordinal).ok()
    }

    /// Is the neighbourhood document at position `i` one of the added ones?
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

/// Bytes of text per segment when documents stream into an index ([`Index::add_stream`])
/// and no memory limit says less: a batch is held with its shingle sets, signatures and
/// tables, about five times its text, so a build of any size stays near 2.5 GiB.
pub const SEGMENT_TEXT_BYTES: usize = 512 << 20;

/// Working memory per byte of a streamed batch's text (its documents, shingle sets,
/// fingerprints and tables, with room to spare): a memory limit `L` makes segments of
/// `L / MEMORY_PER_TEXT_BYTE` bytes of text.
pub const MEMORY_PER_TEXT_BYTE: u64 = 8;

impl AddReport {
    /// Folds the report of the next batch of a streamed add into this one. Both are
    /// pairs-only reports; the result's neighbourhood holds the documents of both (as
    /// metadata: streamed texts are not kept) and its pairs point into it.
    fn then(mut self, next: AddReport) -> AddReport {
        let AddReport {
            added,
            skipped,
            replaced,
            documents_after,
            segments,
            neighbourhood,
            ordinals,
            pairs,
            candidates,
            oversized_buckets,
            ..
        } = next;
        let mut docs: std::collections::BTreeMap<Ordinal, Document> = Default::default();
        let mut by_ordinal: Vec<(Ordinal, Ordinal, VerifiedPair)> = Vec::new();
        let held = (
            std::mem::take(&mut self.ordinals),
            std::mem::take(&mut self.neighbourhood),
            std::mem::take(&mut self.pairs),
        );
        for (ordinals, neighbourhood, pairs) in [held, (ordinals, neighbourhood, pairs)] {
            let of = |i: u32| ordinals[i as usize];
            by_ordinal.extend(pairs.into_iter().map(|p| (of(p.a), of(p.b), p)));
            for (&o, d) in ordinals.iter().zip(neighbourhood) {
                docs.entry(o).or_insert_with(|| d.metadata());
            }
        }
        self.ordinals = docs.keys().copied().collect();
        self.neighbourhood = docs.into_values().collect();
        let position = |o: Ordinal| self.ordinals.binary_search(&o).expect("kept") as u32;
        let mut pairs: Vec<VerifiedPair> = by_ordinal
            .into_iter()
            .map(|(a, b, p)| VerifiedPair {
                a: position(a),
                b: position(b),
                ..p
            })
            .collect();
        pairs.sort_by_key(|p| (p.a, p.b));
        self.pairs = pairs;
        self.added.extend(added);
        self.skipped.extend(skipped);
        self.replaced.extend(replaced);
        self.segments.extend(segments);
        self.documents_after = documents_after;
        self.candidates += candidates;
        self.oversized_buckets += oversized_buckets;
        self
    }
}

impl Index {
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

    /// Adds documents as a source hands them over — the index writer is the reader's sink
    /// — a segment at a time: whenever the documents held reach `segment_bytes` of text,
    /// they are added as one batch (pairs only, as [`AddOptions::pairs_only`]) and
    /// dropped, so memory follows the segment size, not the input. The pairs equal those
    /// of one batch: each batch is verified against itself and against every segment
    /// before it. Each segment is committed as it is written: if the run fails, the index
    /// holds the batches before the failing one, and adding the same inputs again adds the
    /// rest (ids already stored are skipped). Returns the reader's account and one report
    /// for all batches, whose neighbourhood documents carry no text.
    pub fn add_stream(
        &mut self,
        source: &DocumentSource<'_>,
        replace: bool,
        segment_bytes: usize,
    ) -> Result<(Corpus, AddReport)> {
        let lock = WriteLock::take(&self.dir)?;
        *self = Index::open(&self.dir)?;
        let result = self.add_stream_locked(source, replace, segment_bytes.max(1));
        drop(lock);
        if result.is_err()
            && let Ok(fresh) = Index::open(&self.dir)
        {
            *self = fresh;
        }
        result
    }

    fn add_stream_locked(
        &mut self,
        source: &DocumentSource<'_>,
        replace: bool,
        segment_bytes: usize,
    ) -> Result<(Corpus, AddReport)> {
        let options = AddOptions {
            replace,
            pairs_only: true,
        };
        let mut report: Option<AddReport> = None;
        let mut batch: Vec<Document> = Vec::new();
        let mut held = 0usize;
        let mut failure = None;
        let corpus = source(&mut |doc| {
            if failure.is_some() {
                return;
            }
            held += doc.text.len();
            batch.push(doc);
            if held >= segment_bytes {
                held = 0;
                let full = std::mem::take(&mut batch);
                if let Err(e) = self.add_segment(full, &options, &mut report) {
                    failure = Some(e);
                }
            }
        })?;
        if let Some(e) = failure {
            return Err(e);
        }
        if !batch.is_empty() || report.is_none() {
            self.add_segment(batch, &options, &mut report)?;
        }
        Ok((corpus, report.expect("one batch at least")))
    }

    /// One batch of a streamed add, its report folded into `report`.
    fn add_segment(
        &mut self,
        batch: Vec<Document>,
        options: &AddOptions,
        report: &mut Option<AddReport>,
    ) -> Result<()> {
        let mut next = self.add_locked(batch, options)?;
        for d in &mut next.neighbourhood {
            d.text = Text::default();
        }
        *report = Some(match report.take() {
            Some(before) => before.then(next),
            None => next,
        });
        Ok(())
    }

    fn add_locked(&mut self, docs: Vec<Document>, options: &AddOptions) -> Result<AddReport> {
        self.remove_leftovers()?;
        let documents_before = self.len();
        let Sorted {
            batch,
            skipped,
            replaced,
        } = self.sort_batch(docs, options)?;
        let base = Ordinal(self.manifest.stored());
        if u64::from(base.0) + batch.len() as u64 > u64::from(u32::MAX) {
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
            a.set = ShingleSet::default();
        }

        // `build` reports pairs only: its neighbourhood is the stored half of its pairs.
        let (neighbourhood_olds, stored_docs) = if options.pairs_only {
            (stored.olds, stored.docs)
        } else {
            self.neighbourhood(base, &analysed, &pairs, stored.docs)?
        };

        let segment = if batch.is_empty() {
            String::new()
        } else {
            self.write_segment(&batch, &analysed, &pairs, &replaced)?
        };

        let added: Vec<Ordinal> = (base.0..base.0 + batch.len() as u32).map(Ordinal).collect();
        let (neighbourhood, ordinals) =
            place(neighbourhood_olds, stored_docs, batch, &added, &mut pairs);
        let (traced, lineage) = if options.pairs_only {
            (None, None)
        } else {
            let found = find_passages(&neighbourhood, &self.config)?;
            let lineage = found.lineage(&neighbourhood);
            (Some(found), Some(lineage))
        };

        Ok(AddReport {
            added,
            skipped,
            replaced,
            documents_before,
            documents_after: self.len(),
            segments: Vec::from_iter((!segment.is_empty()).then_some(segment)),
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
    fn pairs_within(
        &self,
        base: Ordinal,
        analysed: &[Analysed],
    ) -> (Vec<VerifiedPair>, Candidates) {
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
            (p.a, p.b) = (base.0 + active[p.a as usize], base.0 + active[p.b as usize]);
        }
        (pairs, inner)
    }

    /// Pairs of batch documents with stored ones: shared buckets, then exact verification
    /// against the stored documents' sets, made again from their text.
    fn pairs_with_stored(&self, base: Ordinal, analysed: &[Analysed]) -> Result<StoredPairs> {
        let keys: Vec<(u64, u32)> = analysed
            .iter()
            .enumerate()
            .flat_map(|(i, a)| a.keys.iter().map(move |&k| (k, i as u32)))
            .collect();
        let (candidates, oversized) = self.band_neighbours(&keys)?;
        let mut olds: Vec<Ordinal> = candidates.iter().map(|&(o, _)| o).collect();
        olds.sort_unstable();
        olds.dedup();
        let docs = self.read_documents(&olds)?;
        let sets: Vec<(Ordinal, (ShingleSet, Signature))> = olds
            .par_iter()
            .map(|&o| {
                // `shingle_set` is sorted and repeat-free already.
                let set = shingle_set(&docs[&o].text, self.config.dups.scheme);
                Ok((o, (set, self.signature(o)?)))
            })
            .collect::<Result<_>>()?;
        let sets: AHashMap<Ordinal, (ShingleSet, Signature)> = sets.into_iter().collect();
        let stored_side = |o: u32| {
            let (set, sig) = &sets[&Ordinal(o)];
            (set.as_slice(), sig.as_slice())
        };
        let new_side = |i: u32| {
            let new = &analysed[i as usize];
            let sig = new.signature.as_deref().expect("banded");
            (new.set.as_slice(), sig)
        };
        let threshold = self.config.dups.threshold;
        // Verified by (stored ordinal, batch position), then both as ordinals.
        let by_number: Vec<(u32, u32)> = candidates.iter().map(|&(o, i)| (o.0, i)).collect();
        let mut pairs = verify_sides(&by_number, stored_side, new_side, threshold);
        for p in &mut pairs {
            p.b += base.0;
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
        base: Ordinal,
        analysed: &[Analysed],
        pairs: &[VerifiedPair],
        old_docs: AHashMap<Ordinal, Document>,
    ) -> Result<(Vec<Ordinal>, AHashMap<Ordinal, Document>)> {
        let mut batch_df: AHashMap<u64, usize> = AHashMap::new();
        for a in analysed {
            for &f in &a.fingerprints {
                *batch_df.entry(f).or_default() += 1;
            }
        }
        let batch_fps: Vec<&[u64]> = analysed.iter().map(|a| a.fingerprints.as_slice()).collect();
        let (passage_neighbours, _) = self.fingerprint_neighbours(&batch_fps, &batch_df)?;
        let mut first_ring: Vec<Ordinal> = pairs
            .iter()
            .filter(|p| p.a < base.0)
            .map(|p| Ordinal(p.a))
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
        let mut neighbourhood_olds: Vec<Ordinal> = first_ring.clone();
        neighbourhood_olds.extend(second.iter().map(|&(o, _)| o));
        neighbourhood_olds.extend(self.stored_pair_neighbours(&first_ring)?);
        neighbourhood_olds.sort_unstable();
        neighbourhood_olds.dedup();
        let missing: Vec<Ordinal> = neighbourhood_olds
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
        replaced: &[(String, Ordinal)],
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
        let tombs: Vec<u8> = replaced
            .iter()
            .flat_map(|(_, o)| o.0.to_le_bytes())
            .collect();
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

/// The neighbourhood in order — the stored documents (`olds`, sorted, read in `stored`),
/// then the batch — with each one's ordinal; the pairs, found by ordinal, become pairs of
/// positions in it, as the passages and edges found on it are.
fn place(
    olds: Vec<Ordinal>,
    mut stored: AHashMap<Ordinal, Document>,
    batch: Vec<Document>,
    added: &[Ordinal],
    pairs: &mut [VerifiedPair],
) -> (Vec<Document>, Vec<Ordinal>) {
    let mut neighbourhood: Vec<Document> = olds
        .iter()
        .map(|o| stored.remove(o).expect("read above"))
        .collect();
    neighbourhood.extend(batch);
    let mut ordinals = olds;
    ordinals.extend(added);
    let position = |o: u32| {
        ordinals
            .binary_search(&Ordinal(o))
            .expect("in the neighbourhood") as u32
    };
    for p in pairs {
        (p.a, p.b) = (position(p.a), position(p.b));
    }
    (neighbourhood, ordinals)
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
