//! Segment files: the immutable unit of an index.
//!
//! Every `index build` and `index add` writes one segment: the documents it added, their
//! MinHash signatures, and sorted tables — LSH band keys, passage fingerprints, id hashes,
//! verified pairs — that later batches probe. A segment is written once to a temporary
//! name, synced and renamed; it is never changed afterwards, so readers need no locks.
//!
//! # Layout (version 1, all integers little-endian)
//!
//! ```text
//! header     64 bytes   magic "WTRACESG", version u32, section count u32, base u64,
//!                       documents u64, directory offset u64, file length u64,
//!                       12 reserved bytes, CRC-32 of bytes 0..60
//! sections   for each: payload, then one CRC-32 per 4096-byte block of the payload
//! directory  per section 32 bytes: kind u32, reserved u32, payload offset u64,
//!            payload length u64, CRC array offset u64; then CRC-32 of the directory
//! ```
//!
//! Section kinds are numbered in [`Section`]. Tables are arrays of 16-byte [`Entry`]
//! values sorted by `(key, doc, aux)`; each table has a companion *fence* section (kind
//! `0x100 | table`) holding the first key of every block, so a lookup reads one or two
//! blocks. Every block read is checked against its
//! CRC-32 first: a flipped bit or a truncated file is reported with the file, section and
//! block, never read as data. Checking block by block keeps the cost of a lookup
//! independent of the size of the index.

use std::fmt;
use std::fs::File;
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// File magic.
pub const MAGIC: [u8; 8] = *b"WTRACESG";
/// Segment format version written and read by this release.
pub const VERSION: u32 = 1;
/// Payload bytes covered by one checksum.
pub const BLOCK: usize = 4096;
const HEADER_LEN: usize = 64;
const DIR_ENTRY_LEN: usize = 32;
/// Bytes of one table entry.
pub const ENTRY_LEN: usize = 16;
const ENTRIES_PER_BLOCK: usize = BLOCK / ENTRY_LEN;

/// What a section holds. The directory stores it as a number, [`Section::code`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// Per document: a [`DocEntry`] (code 1).
    Docs,
    /// JSON records of the documents, back to back (code 2).
    Records,
    /// Per document: `num_perm` u32 MinHash values (code 3).
    Signatures,
    /// Global ordinals this segment retires (`replace`), u32 each (code 9).
    Tombstones,
    /// A sorted table of [`Entry`]s (codes 4 to 8).
    Table(Table),
    /// The fence section of a table: the first key of every block (the table's code plus
    /// `0x100`).
    Fence(Table),
}

/// The sorted tables of a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// LSH band key → local document (code 4).
    Bands,
    /// Passage fingerprint → local document (code 5).
    Fingerprints,
    /// XXH3 of the document id → local document (code 6).
    Ids,
    /// `a << 32 | b` (global ordinals, a < b) → shared shingles, union size (code 7).
    Pairs,
    /// `b << 32 | a` → shared shingles, union size: the same pairs, found from b (code 8).
    PairsByB,
}

impl Table {
    /// Every table, in the order a segment stores them.
    pub const ALL: [Table; 5] = [
        Table::Bands,
        Table::Fingerprints,
        Table::Ids,
        Table::Pairs,
        Table::PairsByB,
    ];

    fn code(self) -> u32 {
        match self {
            Table::Bands => 4,
            Table::Fingerprints => 5,
            Table::Ids => 6,
            Table::Pairs => 7,
            Table::PairsByB => 8,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Table::Bands => "bands",
            Table::Fingerprints => "fingerprints",
            Table::Ids => "ids",
            Table::Pairs => "pairs",
            Table::PairsByB => "pairs by b",
        }
    }
}

impl Section {
    /// The section's kind in the directory.
    pub fn code(self) -> u32 {
        match self {
            Section::Docs => 1,
            Section::Records => 2,
            Section::Signatures => 3,
            Section::Tombstones => 9,
            Section::Table(t) => t.code(),
            Section::Fence(t) => 0x100 | t.code(),
        }
    }
}

impl fmt::Display for Section {
    /// Names the section and its code, as corruption messages show it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Section::Docs => write!(f, "documents")?,
            Section::Records => write!(f, "records")?,
            Section::Signatures => write!(f, "signatures")?,
            Section::Tombstones => write!(f, "tombstones")?,
            Section::Table(t) => write!(f, "{}", t.name())?,
            Section::Fence(t) => write!(f, "{} fences", t.name())?,
        }
        write!(f, " ({})", self.code())
    }
}

/// One entry of the [`Section::Docs`] section: where a document's JSON record lies in the
/// [`Section::Records`] section, and whether it has tokens (so a MinHash signature).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocEntry {
    /// Byte offset of the record in the records section.
    pub offset: u64,
    /// Byte length of the record.
    pub len: u32,
    /// The document has at least one token.
    pub has_tokens: bool,
}

impl DocEntry {
    /// Bytes of one entry.
    pub const LEN: usize = 16;

    /// The entry in its stored form: offset u64, length u32, flags u32 (bit 0: has tokens).
    pub fn encode(&self) -> [u8; Self::LEN] {
        let mut b = [0u8; Self::LEN];
        b[0..8].copy_from_slice(&self.offset.to_le_bytes());
        b[8..12].copy_from_slice(&self.len.to_le_bytes());
        b[12..16].copy_from_slice(&u32::from(self.has_tokens).to_le_bytes());
        b
    }

    /// The entry read back from its [`DocEntry::LEN`] bytes.
    pub fn decode(b: &[u8]) -> DocEntry {
        let word = |at: usize| u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"));
        DocEntry {
            offset: u64::from_le_bytes(b[0..8].try_into().expect("8 bytes")),
            len: word(8),
            has_tokens: word(12) & 1 == 1,
        }
    }
}

/// One table entry: a key and two values, compared in that order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Entry {
    /// The sorted-on key.
    pub key: u64,
    /// Usually the local document number.
    pub doc: u32,
    /// A second value (0 when unused).
    pub aux: u32,
}

impl Entry {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.key.to_le_bytes());
        out.extend_from_slice(&self.doc.to_le_bytes());
        out.extend_from_slice(&self.aux.to_le_bytes());
    }

    fn decode(b: &[u8]) -> Entry {
        Entry {
            key: u64_at(b, 0),
            doc: u32_at(b, 8),
            aux: u32_at(b, 12),
        }
    }
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

#[derive(Debug, Clone, Copy)]
struct SectionInfo {
    kind: u32,
    offset: u64,
    length: u64,
    crc_offset: u64,
}

/// Writes a segment file section by section.
pub struct SegmentWriter {
    path: PathBuf,
    out: BufWriter<File>,
    pos: u64,
    base: u64,
    docs: u64,
    sections: Vec<SectionInfo>,
    open: Option<OpenSection>,
}

struct OpenSection {
    kind: Section,
    offset: u64,
    length: u64,
    block: crc32fast::Hasher,
    in_block: usize,
    crcs: Vec<u32>,
}

impl SegmentWriter {
    /// Starts a segment for `docs` documents whose first global ordinal is `base`.
    pub fn create(path: &Path, base: u64, docs: u64) -> Result<Self> {
        let file = File::create(path).map_err(|e| io_error(path, e))?;
        let mut w = SegmentWriter {
            path: path.to_path_buf(),
            out: BufWriter::with_capacity(1 << 20, file),
            pos: 0,
            base,
            docs,
            sections: Vec::new(),
            open: None,
        };
        w.raw(&[0u8; HEADER_LEN])?;
        Ok(w)
    }

    fn raw(&mut self, bytes: &[u8]) -> Result<()> {
        self.out
            .write_all(bytes)
            .map_err(|e| io_error(&self.path, e))?;
        self.pos += bytes.len() as u64;
        Ok(())
    }

    /// Opens a section; write its payload with [`write`](Self::write).
    pub fn begin(&mut self, kind: Section) {
        debug_assert!(self.open.is_none(), "one section at a time");
        self.open = Some(OpenSection {
            kind,
            offset: self.pos,
            length: 0,
            block: crc32fast::Hasher::new(),
            in_block: 0,
            crcs: Vec::new(),
        });
    }

    /// Appends payload bytes to the open section.
    pub fn write(&mut self, mut bytes: &[u8]) -> Result<()> {
        let mut s = self.open.take().expect("a section is open");
        s.length += bytes.len() as u64;
        let written = self.raw(bytes);
        while !bytes.is_empty() {
            let n = (BLOCK - s.in_block).min(bytes.len());
            s.block.update(&bytes[..n]);
            s.in_block += n;
            bytes = &bytes[n..];
            if s.in_block == BLOCK {
                let done = std::mem::replace(&mut s.block, crc32fast::Hasher::new());
                s.crcs.push(done.finalize());
                s.in_block = 0;
            }
        }
        self.open = Some(s);
        written
    }

    /// Closes the open section: writes its block checksums.
    pub fn end(&mut self) -> Result<()> {
        let mut s = self.open.take().expect("a section is open");
        if s.in_block > 0 {
            s.crcs.push(s.block.finalize());
        }
        let crc_offset = self.pos;
        let bytes: Vec<u8> = s.crcs.iter().flat_map(|c| c.to_le_bytes()).collect();
        self.raw(&bytes)?;
        self.sections.push(SectionInfo {
            kind: s.kind.code(),
            offset: s.offset,
            length: s.length,
            crc_offset,
        });
        Ok(())
    }

    /// Writes a whole section at once.
    pub fn section(&mut self, kind: Section, payload: &[u8]) -> Result<()> {
        self.begin(kind);
        self.write(payload)?;
        self.end()
    }

    /// Writes a sorted table and its fence section.
    pub fn table(&mut self, table: Table, entries: &[Entry]) -> Result<()> {
        debug_assert!(entries.is_sorted(), "tables are written sorted");
        self.begin(Section::Table(table));
        let mut buf = Vec::with_capacity(BLOCK * 16);
        for chunk in entries.chunks(BLOCK) {
            buf.clear();
            for e in chunk {
                e.encode(&mut buf);
            }
            self.write(&buf)?;
        }
        self.end()?;
        let fences: Vec<u8> = entries
            .chunks(ENTRIES_PER_BLOCK)
            .flat_map(|block| block[0].key.to_le_bytes())
            .collect();
        self.section(Section::Fence(table), &fences)
    }

    /// Writes the directory and header and syncs the file to disk. Returns its length.
    pub fn finish(mut self) -> Result<u64> {
        let dir_offset = self.pos;
        let mut dir = Vec::with_capacity(self.sections.len() * DIR_ENTRY_LEN + 4);
        for s in &self.sections {
            dir.extend_from_slice(&s.kind.to_le_bytes());
            dir.extend_from_slice(&0u32.to_le_bytes());
            dir.extend_from_slice(&s.offset.to_le_bytes());
            dir.extend_from_slice(&s.length.to_le_bytes());
            dir.extend_from_slice(&s.crc_offset.to_le_bytes());
        }
        let crc = crc32fast::hash(&dir);
        dir.extend_from_slice(&crc.to_le_bytes());
        self.raw(&dir)?;
        let file_len = self.pos;
        let mut header = Vec::with_capacity(HEADER_LEN);
        header.extend_from_slice(&MAGIC);
        header.extend_from_slice(&VERSION.to_le_bytes());
        header.extend_from_slice(&(self.sections.len() as u32).to_le_bytes());
        header.extend_from_slice(&self.base.to_le_bytes());
        header.extend_from_slice(&self.docs.to_le_bytes());
        header.extend_from_slice(&dir_offset.to_le_bytes());
        header.extend_from_slice(&file_len.to_le_bytes());
        header.resize(HEADER_LEN - 4, 0);
        let crc = crc32fast::hash(&header);
        header.extend_from_slice(&crc.to_le_bytes());
        let path = self.path.clone();
        let mut file = self
            .out
            .into_inner()
            .map_err(|e| io_error(&path, e.into()))?;
        file.seek(SeekFrom::Start(0))
            .and_then(|_| file.write_all(&header))
            .and_then(|_| file.sync_all())
            .map_err(|e| io_error(&path, e))?;
        Ok(file_len)
    }
}

fn io_error(path: &Path, source: io::Error) -> Error {
    Error::IndexIo {
        path: path.to_path_buf(),
        source,
    }
}

/// A segment opened for reading: header and directory checked, fences loaded.
#[derive(Debug)]
pub struct Segment {
    path: PathBuf,
    file: File,
    /// Global ordinal of the segment's first document.
    pub base: u32,
    /// Documents in the segment.
    pub docs: u32,
    /// File length in bytes.
    pub bytes: u64,
    sections: Vec<SectionInfo>,
    fences: Vec<(Table, Vec<u64>)>,
}

/// The fields of a segment's header that locate the rest.
struct Header {
    sections: usize,
    base: u64,
    docs: u64,
    dir_offset: u64,
}

impl Header {
    /// Reads and checks the header of a file of `len` bytes: magic, checksum, version and
    /// the file length it records.
    fn read(file: &File, path: &Path, len: u64) -> Result<Header> {
        let corrupt = |detail: String| Error::CorruptIndex {
            path: path.to_path_buf(),
            detail,
        };
        if len < HEADER_LEN as u64 {
            return Err(corrupt(format!(
                "{len} bytes, shorter than the {HEADER_LEN}-byte header (truncated)"
            )));
        }
        let mut header = [0u8; HEADER_LEN];
        read_exact_at(file, &mut header, 0).map_err(|e| io_error(path, e))?;
        if header[..8] != MAGIC {
            return Err(corrupt("not a wiretrace segment (bad magic)".into()));
        }
        if crc32fast::hash(&header[..60]) != u32_at(&header, 60) {
            return Err(corrupt("header checksum mismatch".into()));
        }
        let version = u32_at(&header, 8);
        if version != VERSION {
            return Err(corrupt(format!(
                "segment format version {version}; this wiretrace reads version {VERSION}"
            )));
        }
        let file_len = u64_at(&header, 40);
        if file_len != len {
            return Err(corrupt(format!(
                "{len} bytes on disk, {file_len} written (truncated or extended)"
            )));
        }
        Ok(Header {
            sections: u32_at(&header, 12) as usize,
            base: u64_at(&header, 16),
            docs: u64_at(&header, 24),
            dir_offset: u64_at(&header, 32),
        })
    }
}

/// Reads and checks the directory, which ends the file: its checksum, and that every
/// section lies before it.
fn read_directory(file: &File, path: &Path, header: &Header, len: u64) -> Result<Vec<SectionInfo>> {
    let corrupt = |detail: String| Error::CorruptIndex {
        path: path.to_path_buf(),
        detail,
    };
    let dir_offset = header.dir_offset;
    let dir_len = header.sections * DIR_ENTRY_LEN + 4;
    if dir_offset.checked_add(dir_len as u64) != Some(len) {
        return Err(corrupt("directory does not end the file".into()));
    }
    let mut dir = vec![0u8; dir_len];
    read_exact_at(file, &mut dir, dir_offset).map_err(|e| io_error(path, e))?;
    if crc32fast::hash(&dir[..dir_len - 4]) != u32_at(&dir, dir_len - 4) {
        return Err(corrupt("directory checksum mismatch".into()));
    }
    let sections: Vec<SectionInfo> = dir[..dir_len - 4]
        .chunks_exact(DIR_ENTRY_LEN)
        .map(|e| SectionInfo {
            kind: u32_at(e, 0),
            offset: u64_at(e, 8),
            length: u64_at(e, 16),
            crc_offset: u64_at(e, 24),
        })
        .collect();
    for s in &sections {
        let blocks = s.length.div_ceil(BLOCK as u64);
        let fits = s.offset + s.length <= dir_offset && s.crc_offset + blocks * 4 <= dir_offset;
        if !fits {
            return Err(corrupt(format!("section {} lies outside the file", s.kind)));
        }
    }
    Ok(sections)
}

impl Segment {
    /// Opens a segment and checks its header, directory and fences.
    pub fn open(path: &Path) -> Result<Segment> {
        let file = File::open(path).map_err(|e| io_error(path, e))?;
        let len = file.metadata().map_err(|e| io_error(path, e))?.len();
        let corrupt = |detail: String| Error::CorruptIndex {
            path: path.to_path_buf(),
            detail,
        };
        let header = Header::read(&file, path, len)?;
        let sections = read_directory(&file, path, &header, len)?;
        let (base, docs) = (header.base, header.docs);
        if base > u32::MAX as u64 || base + docs > u32::MAX as u64 + 1 {
            return Err(corrupt("document ordinals beyond 2³²".into()));
        }
        let mut seg = Segment {
            path: path.to_path_buf(),
            file,
            base: base as u32,
            docs: docs as u32,
            bytes: len,
            sections,
            fences: Vec::new(),
        };
        for table in Table::ALL {
            let raw = seg.read_section(Section::Fence(table))?;
            let fences: Vec<u64> = raw.chunks_exact(8).map(|c| u64_at(c, 0)).collect();
            let entries = seg.find(Section::Table(table))?.length / ENTRY_LEN as u64;
            if fences.len() as u64 != entries.div_ceil(ENTRIES_PER_BLOCK as u64) {
                return Err(seg.corrupt(format!(
                    "the fences of table {} do not match it",
                    Section::Table(table)
                )));
            }
            seg.fences.push((table, fences));
        }
        let entries = seg.find(Section::Docs)?.length;
        if entries != docs * DocEntry::LEN as u64 {
            return Err(seg.corrupt("document table size does not match the header".into()));
        }
        Ok(seg)
    }

    /// The segment's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn corrupt(&self, detail: String) -> Error {
        Error::CorruptIndex {
            path: self.path.clone(),
            detail,
        }
    }

    fn find(&self, kind: Section) -> Result<SectionInfo> {
        self.sections
            .iter()
            .find(|s| s.kind == kind.code())
            .copied()
            .ok_or_else(|| self.corrupt(format!("section {kind} is missing")))
    }

    /// Reads `len` bytes at `offset` of a section, checking every block they touch.
    pub fn read_range(&self, kind: Section, offset: u64, len: u64) -> Result<Vec<u8>> {
        let s = self.find(kind)?;
        if offset + len > s.length {
            return Err(self.corrupt(format!(
                "read of {len} bytes at {offset} past the end of section {kind}"
            )));
        }
        if len == 0 {
            return Ok(Vec::new());
        }
        let first = offset / BLOCK as u64;
        let last = (offset + len - 1) / BLOCK as u64;
        let start = first * BLOCK as u64;
        let end = ((last + 1) * BLOCK as u64).min(s.length);
        let mut buf = vec![0u8; (end - start) as usize];
        read_exact_at(&self.file, &mut buf, s.offset + start)
            .map_err(|e| io_error(&self.path, e))?;
        let mut crcs = vec![0u8; ((last - first + 1) * 4) as usize];
        read_exact_at(&self.file, &mut crcs, s.crc_offset + first * 4)
            .map_err(|e| io_error(&self.path, e))?;
        for (i, block) in buf.chunks(BLOCK).enumerate() {
            if crc32fast::hash(block) != u32_at(&crcs, i * 4) {
                return Err(self.corrupt(format!(
                    "checksum mismatch in section {kind}, block {} (bytes {}..{} of the file)",
                    first + i as u64,
                    s.offset + start + (i * BLOCK) as u64,
                    s.offset + start + (i * BLOCK + block.len()) as u64
                )));
            }
        }
        let skip = (offset - start) as usize;
        buf.drain(..skip);
        buf.truncate(len as usize);
        Ok(buf)
    }

    /// Reads a whole section.
    pub fn read_section(&self, kind: Section) -> Result<Vec<u8>> {
        let s = self.find(kind)?;
        self.read_range(kind, 0, s.length)
    }

    /// Length of a section's payload in bytes.
    pub fn section_len(&self, kind: Section) -> Result<u64> {
        Ok(self.find(kind)?.length)
    }

    fn read_block(&self, table: Table, block: usize) -> Result<Vec<Entry>> {
        let s = self.find(Section::Table(table))?;
        let offset = (block * BLOCK) as u64;
        let len = (BLOCK as u64).min(s.length - offset);
        let raw = self.read_range(Section::Table(table), offset, len)?;
        Ok(raw.chunks_exact(ENTRY_LEN).map(Entry::decode).collect())
    }

    /// Calls `found(probe, entry)` for every entry whose key lies in one of the inclusive
    /// `ranges` (sorted by start), at most `limit` entries per range. Neighbouring probes
    /// that land in one block read it once.
    pub fn scan(
        &self,
        table: Table,
        ranges: &[(u64, u64)],
        limit: usize,
        mut found: impl FnMut(usize, Entry),
    ) -> Result<()> {
        let fences = &self
            .fences
            .iter()
            .find(|(k, _)| *k == table)
            .ok_or_else(|| self.corrupt(format!("table {} is missing", Section::Table(table))))?
            .1;
        let mut cached: Option<(usize, Vec<Entry>)> = None;
        for (probe, &(lo, hi)) in ranges.iter().enumerate() {
            let mut block = fences.partition_point(|&f| f < lo).saturating_sub(1);
            let mut taken = 0;
            'blocks: while block < fences.len() && fences[block] <= hi {
                if cached.as_ref().is_none_or(|(b, _)| *b != block) {
                    cached = Some((block, self.read_block(table, block)?));
                }
                let entries = &cached.as_ref().expect("just read").1;
                let from = entries.partition_point(|e| e.key < lo);
                for e in &entries[from..] {
                    if e.key > hi || taken == limit {
                        break 'blocks;
                    }
                    found(probe, *e);
                    taken += 1;
                }
                block += 1;
            }
        }
        Ok(())
    }
}

#[cfg(unix)]
fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(windows)]
fn read_exact_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_read(buf, offset)? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_entries_round_trip_in_their_documented_layout() {
        let e = DocEntry {
            offset: 0x0102_0304_0506_0708,
            len: 0x0a0b_0c0d,
            has_tokens: true,
        };
        let b = e.encode();
        assert_eq!(b[..8], 0x0102_0304_0506_0708u64.to_le_bytes());
        assert_eq!(b[8..12], 0x0a0b_0c0du32.to_le_bytes());
        assert_eq!(b[12..], 1u32.to_le_bytes());
        assert_eq!(DocEntry::decode(&b), e);
        let none = DocEntry {
            has_tokens: false,
            ..e
        };
        assert_eq!(DocEntry::decode(&none.encode()), none);
    }

    fn write_sample(path: &Path, entries: &[Entry]) {
        let mut w = SegmentWriter::create(path, 10, 2).unwrap();
        w.section(Section::Docs, &[0u8; 32]).unwrap();
        for t in [
            Table::Bands,
            Table::Fingerprints,
            Table::Ids,
            Table::Pairs,
            Table::PairsByB,
        ] {
            w.table(t, if t == Table::Bands { entries } else { &[] })
                .unwrap();
        }
        w.finish().unwrap();
    }

    #[test]
    fn tables_round_trip_across_blocks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.wts");
        // Keys repeat across block boundaries: 1,000 entries, 4 per key.
        let entries: Vec<Entry> = (0..1000u32)
            .map(|i| Entry {
                key: u64::from(i / 4) * 3,
                doc: i,
                aux: 7,
            })
            .collect();
        write_sample(&path, &entries);
        let seg = Segment::open(&path).unwrap();
        assert_eq!((seg.base, seg.docs), (10, 2));
        let mut hits = Vec::new();
        seg.scan(
            Table::Bands,
            &[(0, 0), (189, 189), (190, 190), (747, 747)],
            usize::MAX,
            |p, e| hits.push((p, e.doc)),
        )
        .unwrap();
        // Key 189 = 63 * 3 → docs 252..256 straddle the 256-entry block boundary.
        assert_eq!(
            hits,
            [
                (0, 0),
                (0, 1),
                (0, 2),
                (0, 3),
                (1, 252),
                (1, 253),
                (1, 254),
                (1, 255),
                (3, 996),
                (3, 997),
                (3, 998),
                (3, 999)
            ]
        );
    }

    #[test]
    fn flipped_bit_and_truncation_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.wts");
        let entries: Vec<Entry> = (0..600u32)
            .map(|i| Entry {
                key: i.into(),
                doc: i,
                aux: 0,
            })
            .collect();
        write_sample(&path, &entries);
        let mut bytes = std::fs::read(&path).unwrap();
        // Entry 300 lies in the second block of the band table.
        let at = HEADER_LEN + 32 + 4 + 300 * ENTRY_LEN;
        bytes[at] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        let seg = Segment::open(&path).unwrap();
        let err = seg
            .scan(Table::Bands, &[(300, 300)], usize::MAX, |_, _| {})
            .unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("s.wts") && msg.contains("block 1"), "{msg}");
        // The first block is intact and still readable.
        seg.scan(Table::Bands, &[(5, 5)], usize::MAX, |_, _| {})
            .unwrap();

        std::fs::write(&path, &bytes[..bytes.len() - 10]).unwrap();
        let msg = Segment::open(&path).unwrap_err().to_string();
        assert!(msg.contains("truncated"), "{msg}");
    }
}
