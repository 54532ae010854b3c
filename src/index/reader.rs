//! Reading an index: stored documents by ordinal (records read back by offset, in chunks),
//! the postings of band keys, passage fingerprints and ids in every segment's sorted
//! tables, and the stored pairs of a document — what `add` and `query` look up, and what
//! the passage-level commands read with `--index`.

use ahash::AHashMap;
use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64;

use super::segment::{DocEntry, Section, Segment, Table};
use super::{Index, Ordinal};
use crate::corpus::{Document, DocumentRecord};
use crate::error::{Error, Result};
use crate::minhash::Signature;

/// Reads of stored documents are grouped into chunks of about this many bytes.
const READ_CHUNK: u64 = 32 << 20;

/// The global ordinal of a segment's `local`-th document.
fn ordinal_in(seg: &Segment, local: u32) -> Ordinal {
    Ordinal(seg.base + local)
}

impl Index {
    /// The segment holding `ordinal`, and the document's position in it.
    fn locate(&self, ordinal: Ordinal) -> (&Segment, u32) {
        let i = self
            .segments
            .partition_point(|s| s.base + s.docs <= ordinal.0);
        let seg = &self.segments[i];
        (seg, ordinal.0 - seg.base)
    }

    /// Reads the stored document with this ordinal.
    pub fn document(&self, ordinal: Ordinal) -> Result<Document> {
        if ordinal.0 >= self.manifest.stored() {
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
    pub fn documents(&self) -> Result<Vec<(Ordinal, Document)>> {
        let mut out = Vec::with_capacity(self.len());
        self.documents_to(&mut |ordinal, doc| out.push((ordinal, doc)))?;
        Ok(out)
    }

    /// Every live document in ordinal order, handed to `sink` with its ordinal a chunk of
    /// records at a time, so that the caller need not hold them all.
    pub fn documents_to(&self, sink: &mut dyn FnMut(Ordinal, Document)) -> Result<()> {
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
                let docs: Vec<Result<(Ordinal, Document)>> = (start..end)
                    .into_par_iter()
                    .map(|i| {
                        let (o, l) = entries[i];
                        let at = (o - from) as usize;
                        let doc = parse_record(seg, i as u32, &chunk[at..at + l as usize])?;
                        Ok((ordinal_in(seg, i as u32), doc))
                    })
                    .collect();
                for d in docs {
                    let (ordinal, doc) = d?;
                    if !self.retired.contains(&ordinal) {
                        sink(ordinal, doc);
                    }
                }
                start = end;
            }
        }
        Ok(())
    }

    /// Live ordinals stored under each of `keys` (sorted, distinct) in a table, at most
    /// `limit` per key and segment.
    fn postings(&self, table: Table, keys: &[u64], limit: usize) -> Result<Vec<Vec<Ordinal>>> {
        let ranges: Vec<(u64, u64)> = keys.iter().map(|&k| (k, k)).collect();
        let mut out = vec![Vec::new(); keys.len()];
        for seg in &self.segments {
            seg.scan(table, &ranges, limit, |probe, e| {
                let ordinal = ordinal_in(seg, e.doc);
                if !self.retired.contains(&ordinal) {
                    out[probe].push(ordinal);
                }
            })?;
        }
        Ok(out)
    }

    /// Stored near-duplicate neighbours of `ordinals` (from the pairs tables).
    pub(super) fn stored_pair_neighbours(&self, ordinals: &[Ordinal]) -> Result<Vec<Ordinal>> {
        let ranges: Vec<(u64, u64)> = ordinals
            .iter()
            .map(|&Ordinal(o)| (u64::from(o) << 32, u64::from(o) << 32 | u64::from(u32::MAX)))
            .collect();
        let mut out = Vec::new();
        for seg in &self.segments {
            for table in [Table::Pairs, Table::PairsByB] {
                seg.scan(table, &ranges, usize::MAX, |_, e| {
                    let other = Ordinal((e.key & u64::from(u32::MAX)) as u32);
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

    /// Stored documents sharing at least `min_shared_fingerprints` fingerprints (each in at
    /// most `max_df` documents, counting `extra_df` of them outside the index) with each of
    /// `docs`: `(stored ordinal, position in docs)`, sorted.
    pub(super) fn fingerprint_neighbours(
        &self,
        fingerprints: &[&[u64]],
        extra_df: &AHashMap<u64, usize>,
    ) -> Result<(Vec<(Ordinal, u32)>, usize)> {
        let pc = &self.config.passage;
        let mut probes: Vec<(u64, u32)> = fingerprints
            .iter()
            .enumerate()
            .flat_map(|(i, fps)| fps.iter().map(move |&f| (f, i as u32)))
            .collect();
        probes.sort_unstable();
        let keys: Vec<u64> = probes.chunk_by(|x, y| x.0 == y.0).map(|g| g[0].0).collect();
        let stored = self.postings(Table::Fingerprints, &keys, pc.max_df + 1)?;
        let mut shared: Vec<(Ordinal, u32)> = Vec::new();
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
    pub(super) fn band_neighbours(
        &self,
        keys: &[(u64, u32)],
    ) -> Result<(Vec<(Ordinal, u32)>, usize)> {
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
    pub(super) fn read_documents(
        &self,
        ordinals: &[Ordinal],
    ) -> Result<AHashMap<Ordinal, Document>> {
        let docs: Vec<(Ordinal, Document)> = ordinals
            .par_iter()
            .map(|&o| Ok((o, self.document(o)?)))
            .collect::<Result<_>>()?;
        Ok(docs.into_iter().collect())
    }

    pub(super) fn signature(&self, ordinal: Ordinal) -> Result<Signature> {
        let (seg, local) = self.locate(ordinal);
        let width = self.config.dups.num_perm as u64 * 4;
        let raw = seg.read_range(Section::Signatures, u64::from(local) * width, width)?;
        Ok(raw
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes")))
            .collect())
    }

    /// Ordinals of the stored documents with these ids (None where absent).
    pub(super) fn find_ids(&self, ids: &[&str]) -> Result<Vec<Option<Ordinal>>> {
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
}

fn parse_record(seg: &Segment, local: u32, raw: &[u8]) -> Result<Document> {
    serde_json::from_slice::<DocumentRecord>(raw)
        .map(DocumentRecord::into_document)
        .map_err(|e| Error::CorruptIndex {
            path: seg.path().to_path_buf(),
            detail: format!("record of document {local} is unreadable: {e}"),
        })
}
