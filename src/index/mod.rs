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
//!    exactly as a batch run would find them ([`crate::lsh::candidate_pairs`], then
//!    exact verification);
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
//!
//! The code is split the same way: `reader` looks up what is stored (documents by ordinal,
//! postings of keys, fingerprints and ids, stored pairs), `writer` adds a batch
//! ([`Index::add`], the steps above, then the segment and the manifest), and `query` finds
//! the sources of one article ([`Index::query`]); this module opens and creates an index
//! and analyses a document the way all three need it.

pub mod manifest;
mod query;
mod reader;
pub mod segment;
mod writer;

pub use query::{Role, SourceMatch};
pub use writer::{AddOptions, AddReport, MEMORY_PER_TEXT_BYTE, SEGMENT_TEXT_BYTES};

use std::fs;
use std::path::{Path, PathBuf};

use ahash::AHashSet;

use crate::corpus::Document;
use crate::error::{Error, Result};
use crate::lsh::{LshParams, band_keys};
use crate::minhash::{MinHasher, Signature};
use crate::normalize::{Token, tokenize};
use crate::passage;
use crate::shingle::{ShingleSet, shingle_set};
use crate::trace::TraceConfig;
use manifest::{IndexParams, Manifest, SegmentRef, WriteLock};
use segment::{Section, Segment};

/// A stored document's number: global to the index, given in the order documents were added
/// (the first is 0; a batch follows the last stored one), never reused. Everything stored
/// is keyed by it. It is not a position — in a batch, in a neighbourhood of documents read
/// back, in one segment — which are plain indices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ordinal(pub u32);

impl std::fmt::Display for Ordinal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// What matching needs of one document, computed the same way for stored and new ones.
struct Analysed {
    /// Shingle set under the index's scheme, sorted.
    set: ShingleSet,
    /// MinHash signature; `None` when the document has no shingle.
    signature: Option<Signature>,
    /// LSH band keys (empty without a signature).
    keys: Vec<u64>,
    /// Passage fingerprints of the raw tokens, sorted, distinct.
    fingerprints: Vec<u64>,
}

/// A persistent index, open for reading; [`Index::add`] takes the writers' lock.
#[derive(Debug)]
pub struct Index {
    dir: PathBuf,
    manifest: Manifest,
    segments: Vec<Segment>,
    retired: AHashSet<Ordinal>,
    config: TraceConfig,
}

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
                    .map(|c| Ordinal(u32::from_le_bytes(c.try_into().expect("4 bytes")))),
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
}
