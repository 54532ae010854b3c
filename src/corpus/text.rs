//! A document's text, held in memory or read from a temporary file as it is needed.
//!
//! The passage level reads every text more than once (to sign it, to learn boilerplate, to
//! fingerprint it, to align the pairs it is in, to find its credits), so it used to hold
//! the whole corpus: a million news articles are 2.75 GB of text, more than half of what
//! `lineage` needed at its peak. Yet each stage reads the texts a block or a pair at a
//! time.
//!
//! So past a bound the texts go, as they are read, into one anonymous temporary file (it
//! has no name, and is gone when the run ends, however it ends), which is then mapped into
//! memory read-only. A [`Text`] is then a place in that file: it reads as a `&str` like a
//! held one, and the kernel brings its pages in from the page cache (or the disk) when a
//! stage touches them. Touched pages would stay resident for the rest of the run, so a
//! thread tells the kernel every [`RELEASE_EVERY`] that the mapping's pages are not needed
//! (`madvise(MADV_DONTNEED)`): for a mapping of a file, which is never written to while
//! mapped, that drops them from the process without changing what they read as, and a
//! later read brings them in again. What the process holds of the texts is then what its
//! stages read in the last fraction of a second, not the corpus.
//!
//! Elsewhere than Linux the file is read back into memory instead of mapped: the same
//! results, without the saving.

use std::fmt;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::ops::Deref;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// A document's text: a `String` held in memory, or a span of a [`TextFile`]. Either reads
/// as the same `&str` (through `Deref`), compares by content and clones cheaply when mapped.
#[derive(Clone, Default)]
pub struct Text(Repr);

#[derive(Clone)]
enum Repr {
    Held(String),
    Mapped {
        file: Arc<Mapping>,
        start: usize,
        len: usize,
    },
}

impl Default for Repr {
    fn default() -> Self {
        Repr::Held(String::new())
    }
}

impl Text {
    /// The text as a string slice.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Held(s) => s,
            Repr::Mapped { file, start, len } => file.str(*start, *len),
        }
    }

    /// Whether the text is read from a [`TextFile`] rather than held.
    pub fn is_mapped(&self) -> bool {
        matches!(self.0, Repr::Mapped { .. })
    }

    /// The text as an owned `String` (a copy when mapped).
    pub fn into_string(self) -> String {
        match self.0 {
            Repr::Held(s) => s,
            Repr::Mapped { .. } => self.as_str().to_owned(),
        }
    }
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Text(Repr::Held(s))
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Text(Repr::Held(s.to_owned()))
    }
}

impl From<Text> for String {
    fn from(t: Text) -> Self {
        t.into_string()
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// Serialised as the string it reads as.
impl serde::Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How often the pages of a mapped [`TextFile`] are given back to the kernel. Stages read
/// texts at a few hundred megabytes a second at most, so what stays resident between two
/// releases is tens of megabytes; a release that finds nothing resident costs
/// microseconds.
pub const RELEASE_EVERY: Duration = Duration::from_millis(20);

/// The most of a mapped [`TextFile`] taken to be resident at once: what stages read in one
/// [`RELEASE_EVERY`], with room to spare. Under `--memory-limit` this much (or the file's
/// size, if less) is kept back from the heap while the file is mapped
/// ([`crate::memory::set_aside`]).
pub const MAPPED_RESIDENT: u64 = 32 << 20;

/// Texts written one after another into an anonymous temporary file, to be read back as
/// [`Text`]s once [`TextFile::finish`] has mapped it.
pub struct TextFile {
    out: BufWriter<File>,
    written: usize,
}

/// Where a text was put in a [`TextFile`]: its byte offset and length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextSpan {
    start: usize,
    len: usize,
}

impl TextFile {
    /// A new, empty file in `dir` (it has no name there and is removed when closed).
    pub fn new(dir: &Path) -> io::Result<TextFile> {
        Ok(TextFile {
            out: BufWriter::with_capacity(1 << 20, tempfile::tempfile_in(dir)?),
            written: 0,
        })
    }

    /// Appends `text`; its span is where [`TextFile::finish`]'s mapping will read it.
    pub fn push(&mut self, text: &str) -> io::Result<TextSpan> {
        self.out.write_all(text.as_bytes())?;
        let span = TextSpan {
            start: self.written,
            len: text.len(),
        };
        self.written += text.len();
        Ok(span)
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.written
    }

    /// Whether nothing has been written.
    pub fn is_empty(&self) -> bool {
        self.written == 0
    }

    /// Writes out what is buffered and maps the file: the texts it holds, by span.
    pub fn finish(self) -> io::Result<MappedTexts> {
        let file = self.out.into_inner().map_err(|e| e.into_error())?;
        Ok(MappedTexts(Arc::new(Mapping::new(file, self.written)?)))
    }
}

/// A finished [`TextFile`], from which each written text is taken by its span.
pub struct MappedTexts(Arc<Mapping>);

impl MappedTexts {
    /// The text written at `span`.
    ///
    /// # Panics
    /// When `span` was not returned by this file's [`TextFile::push`].
    pub fn text(&self, span: TextSpan) -> Text {
        assert!(span.start + span.len <= self.0.len, "span outside the file");
        // The span came from `push` of a `&str`, so it starts and ends on char boundaries
        // of valid UTF-8.
        Text(Repr::Mapped {
            file: Arc::clone(&self.0),
            start: span.start,
            len: span.len,
        })
    }
}

/// Where a moved document's text and raw record (when kept) are in the file.
type DocumentSpans = (TextSpan, Option<TextSpan>);

/// Documents collected as they are read, their texts (and raw records, kept for `dedup`)
/// held up to a bound and, past it, all moved to one [`TextFile`] (the ones held so far
/// included), so that the corpus is either all held or all mapped.
pub struct TextMover {
    dir: std::path::PathBuf,
    held_bytes: usize,
    text_bytes: usize,
    documents: Vec<crate::corpus::Document>,
    /// Once moving: the file and each document's spans in it (its text, its raw record).
    file: Option<(TextFile, Vec<DocumentSpans>)>,
    /// The first write that failed: the documents after it are kept without their text
    /// (so memory stays bounded) until the reading ends and the error is returned.
    failed: Option<io::Error>,
}

impl TextMover {
    /// Holding texts up to `held_bytes` in all, then moving them to a file in `dir`.
    pub fn new(dir: &Path, held_bytes: usize) -> TextMover {
        TextMover {
            dir: dir.to_path_buf(),
            held_bytes,
            text_bytes: 0,
            documents: Vec::new(),
            file: None,
            failed: None,
        }
    }

    /// Takes the next document.
    pub fn push(&mut self, mut doc: crate::corpus::Document) {
        self.text_bytes += doc.text.len() + doc.raw.as_ref().map_or(0, |r| r.len());
        if self.failed.is_none() {
            if self.file.is_none()
                && self.text_bytes > self.held_bytes
                && let Err(e) = self.start_moving()
            {
                self.failed = Some(e);
            }
            if let Some((file, spans)) = &mut self.file {
                match Self::write(file, &doc) {
                    Ok(span) => spans.push(span),
                    Err(e) => self.failed = Some(e),
                }
            }
        }
        if self.file.is_some() || self.failed.is_some() {
            Self::drop_texts(&mut doc);
        }
        self.documents.push(doc);
    }

    /// Writes a document's text and raw record (when kept); their spans.
    fn write(file: &mut TextFile, doc: &crate::corpus::Document) -> io::Result<DocumentSpans> {
        let text = file.push(&doc.text)?;
        let raw = doc.raw.as_ref().map(|r| file.push(r)).transpose()?;
        Ok((text, raw))
    }

    fn drop_texts(doc: &mut crate::corpus::Document) {
        doc.text = Text::default();
        if doc.raw.is_some() {
            doc.raw = Some(Text::default());
        }
    }

    fn start_moving(&mut self) -> io::Result<()> {
        let mut file = TextFile::new(&self.dir)?;
        let mut spans = Vec::with_capacity(self.documents.len() * 2);
        for d in &mut self.documents {
            spans.push(Self::write(&mut file, d)?);
            Self::drop_texts(d);
        }
        self.file = Some((file, spans));
        Ok(())
    }

    /// Bytes of text (and raw records) taken so far.
    pub fn text_bytes(&self) -> usize {
        self.text_bytes
    }

    /// The documents in the order pushed, their texts held or mapped; the first error
    /// writing or mapping the file if there was one, as [`crate::Error::Output`] naming
    /// the folder.
    pub fn finish(mut self) -> crate::error::Result<Vec<crate::corpus::Document>> {
        let dir = std::mem::take(&mut self.dir);
        self.map_texts()
            .map_err(|source| crate::Error::Output { path: dir, source })
    }

    fn map_texts(mut self) -> io::Result<Vec<crate::corpus::Document>> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        if let Some((file, spans)) = self.file.take() {
            let mapped = file.finish()?;
            for (d, (text, raw)) in self.documents.iter_mut().zip(spans) {
                d.text = mapped.text(text);
                d.raw = raw.map(|r| mapped.text(r));
            }
        }
        Ok(self.documents)
    }
}

/// The file, mapped read-only, and the thread that releases its pages.
struct Mapping {
    #[cfg(target_os = "linux")]
    map: linux::Map,
    #[cfg(not(target_os = "linux"))]
    bytes: Box<[u8]>,
    len: usize,
}

impl Mapping {
    fn new(file: File, len: usize) -> io::Result<Mapping> {
        #[cfg(target_os = "linux")]
        {
            Ok(Mapping {
                map: linux::Map::new(file, len)?,
                len,
            })
        }
        #[cfg(not(target_os = "linux"))]
        {
            use std::io::{Read, Seek, SeekFrom};
            let mut file = file;
            file.seek(SeekFrom::Start(0))?;
            let mut bytes = Vec::with_capacity(len);
            file.take(len as u64).read_to_end(&mut bytes)?;
            if bytes.len() != len {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the texts' temporary file is shorter than written",
                ));
            }
            Ok(Mapping {
                bytes: bytes.into_boxed_slice(),
                len,
            })
        }
    }

    fn bytes(&self) -> &[u8] {
        #[cfg(target_os = "linux")]
        {
            self.map.bytes()
        }
        #[cfg(not(target_os = "linux"))]
        {
            &self.bytes
        }
    }

    fn str(&self, start: usize, len: usize) -> &str {
        let bytes = &self.bytes()[start..start + len];
        // SAFETY: every span was written from a `&str` by `TextFile::push` (whole, so on
        // char boundaries), and the file is ours alone (anonymous) and never written once
        // mapped, so the bytes are that valid UTF-8.
        unsafe { std::str::from_utf8_unchecked(bytes) }
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use std::fs::File;
    use std::io;
    use std::os::fd::AsRawFd;
    use std::sync::mpsc::{self, RecvTimeoutError, Sender};
    use std::thread::JoinHandle;

    use super::RELEASE_EVERY;

    /// A read-only shared mapping of a whole file, and the thread that releases its pages.
    pub(super) struct Map {
        ptr: *mut libc::c_void,
        len: usize,
        /// Dropped to stop the releasing thread.
        stop: Option<Sender<()>>,
        releaser: Option<JoinHandle<()>>,
        _file: File,
    }

    // SAFETY: the mapping is read-only for its whole life; reads from any thread are fine.
    unsafe impl Send for Map {}
    unsafe impl Sync for Map {}

    impl Map {
        pub(super) fn new(file: File, len: usize) -> io::Result<Map> {
            if len == 0 {
                return Ok(Map {
                    ptr: std::ptr::null_mut(),
                    len: 0,
                    stop: None,
                    releaser: None,
                    _file: file,
                });
            }
            // SAFETY: a fresh read-only shared mapping of `len` bytes of an open file we
            // wrote `len` bytes to; checked for failure below.
            let ptr = unsafe {
                libc::mmap(
                    std::ptr::null_mut(),
                    len,
                    libc::PROT_READ,
                    libc::MAP_SHARED,
                    file.as_raw_fd(),
                    0,
                )
            };
            if ptr == libc::MAP_FAILED {
                return Err(io::Error::last_os_error());
            }
            let (stop, stopped) = mpsc::channel::<()>();
            let (addr, size) = (ptr as usize, len);
            let releaser = std::thread::Builder::new()
                .name("wiretrace-text-pages".into())
                .spawn(move || {
                    while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(RELEASE_EVERY) {
                        // SAFETY: the range is the mapping, which is unmapped only after
                        // this thread has been stopped and joined. For a shared mapping of
                        // a file, MADV_DONTNEED only drops the pages from this process:
                        // the next read of them brings the file's bytes in again.
                        unsafe {
                            libc::madvise(addr as *mut libc::c_void, size, libc::MADV_DONTNEED);
                        }
                    }
                })?;
            crate::memory::set_aside(Self::aside(len));
            Ok(Map {
                ptr,
                len,
                stop: Some(stop),
                releaser: Some(releaser),
                _file: file,
            })
        }

        /// What is kept back from the heap's budget while mapped.
        fn aside(len: usize) -> u64 {
            (len as u64).min(super::MAPPED_RESIDENT)
        }

        pub(super) fn bytes(&self) -> &[u8] {
            if self.len == 0 {
                return &[];
            }
            // SAFETY: `ptr` maps `len` readable bytes until `self` is dropped.
            unsafe { std::slice::from_raw_parts(self.ptr as *const u8, self.len) }
        }
    }

    impl Drop for Map {
        fn drop(&mut self) {
            drop(self.stop.take());
            if let Some(releaser) = self.releaser.take() {
                let _ = releaser.join();
            }
            if self.len > 0 {
                // SAFETY: the mapping made in `new`, no longer read (no `Text` holds it)
                // nor released (the thread has ended).
                unsafe {
                    libc::munmap(self.ptr, self.len);
                }
                crate::memory::give_back(Self::aside(self.len));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mapped_text_reads_as_the_text_written_and_stays_so_after_its_pages_are_released() {
        let dir = tempfile::tempdir().unwrap();
        let mut file = TextFile::new(dir.path()).unwrap();
        let texts = [
            "",
            "Xinhua — 新华社 reports.",
            "",
            "a\nb",
            &"x".repeat(70_000),
        ];
        let spans: Vec<TextSpan> = texts.iter().map(|t| file.push(t).unwrap()).collect();
        assert_eq!(file.len(), texts.iter().map(|t| t.len()).sum::<usize>());
        let mapped = file.finish().unwrap();
        // Anonymous: nothing is left in the folder.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        let read: Vec<Text> = spans.iter().map(|&s| mapped.text(s)).collect();
        for round in 0..3 {
            for (t, want) in read.iter().zip(texts) {
                assert!(t.is_mapped());
                assert_eq!(t.as_str(), want, "round {round}");
                assert_eq!(t.len(), want.len());
            }
            // Several releases happen between the rounds.
            std::thread::sleep(RELEASE_EVERY * 3);
        }
        assert_eq!(read[1], Text::from("Xinhua — 新华社 reports."));
        assert_eq!(read[4].clone().into_string(), texts[4]);
        drop(mapped);
        // The texts keep the mapping alive.
        assert_eq!(&read[3][..], "a\nb");
    }

    #[test]
    fn a_file_of_empty_texts_maps_to_empty_texts() {
        let dir = tempfile::tempdir().unwrap();
        let mut file = TextFile::new(dir.path()).unwrap();
        let span = file.push("").unwrap();
        assert!(file.is_empty());
        let mapped = file.finish().unwrap();
        assert_eq!(mapped.text(span).as_str(), "");
    }

    fn documents(n: usize) -> Vec<crate::corpus::Document> {
        (0..n)
            .map(|i| crate::corpus::Document::new(format!("d{i}"), "word ".repeat(i + 1)))
            .collect()
    }

    #[test]
    fn the_mover_holds_texts_up_to_its_bound_then_moves_them_all() {
        let dir = tempfile::tempdir().unwrap();
        let docs = documents(10); // 5 + 10 + ... + 50 = 275 bytes
        let mut below = TextMover::new(dir.path(), 275);
        let mut past = TextMover::new(dir.path(), 30);
        for d in &docs {
            below.push(d.clone());
            past.push(d.clone());
        }
        assert_eq!(past.text_bytes(), 275);
        let (below, past) = (below.finish().unwrap(), past.finish().unwrap());
        assert_eq!(below, docs);
        assert!(below.iter().all(|d| !d.text.is_mapped()));
        // Past the bound (at the third document), the first two were moved as well.
        assert_eq!(past, docs);
        assert!(past.iter().all(|d| d.text.is_mapped()));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn raw_records_move_with_their_texts() {
        let dir = tempfile::tempdir().unwrap();
        let docs: Vec<_> = documents(6)
            .into_iter()
            .enumerate()
            .map(|(i, mut d)| {
                // `dedup` keeps the record as read; one document has none (a text file).
                d.raw = (i != 2).then(|| Text::from(format!("{{\"id\":\"d{i}\",\"x\":{i}}}")));
                d
            })
            .collect();
        let mut mover = TextMover::new(dir.path(), 40);
        for d in &docs {
            mover.push(d.clone());
        }
        let moved = mover.finish().unwrap();
        assert_eq!(moved, docs);
        assert!(moved[0].raw.as_ref().unwrap().is_mapped());
        assert_eq!(moved[2].raw, None);
        assert_eq!(moved[5].raw.as_ref().unwrap(), "{\"id\":\"d5\",\"x\":5}");
    }

    #[test]
    fn a_folder_that_cannot_take_the_texts_is_an_error_once_reading_ends() {
        let mut mover = TextMover::new(Path::new("/no/such/folder"), 10);
        for d in documents(5) {
            mover.push(d);
        }
        match mover.finish().unwrap_err() {
            crate::Error::Output { path, source } => {
                assert_eq!(path, Path::new("/no/such/folder"));
                assert_eq!(source.kind(), io::ErrorKind::NotFound);
            }
            other => panic!("{other}"),
        }
        // Below the bound nothing is written, so no folder is needed.
        let mut held = TextMover::new(Path::new("/no/such/folder"), 1 << 20);
        held.push(documents(1).remove(0));
        assert_eq!(held.finish().unwrap().len(), 1);
    }

    #[test]
    fn a_held_text_is_its_string() {
        let t = Text::from(String::from("abc"));
        assert!(!t.is_mapped());
        assert_eq!(t, "abc");
        assert_eq!(format!("{t:?}"), "\"abc\"");
        assert_eq!(Text::default().as_str(), "");
    }
}
