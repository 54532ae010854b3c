//! Reading a corpus: folders of `.txt`/`.md` files, JSON Lines files, and stdin.
//!
//! Every record read ends up either as a [`Document`] or as a [`Skip`] with a reason and
//! the file and line it came from, so `records_read == documents + skipped` always holds
//! and nothing is lost silently. Only problems with the inputs themselves (a path that
//! does not exist, a read error part-way) stop the run with an [`Error`].
//!
//! Inputs are read in the order given, folders in sorted path order, so document order —
//! and with it every later tie-break — is the same on every machine.
//!
//! A document's text is held in memory, or, for a corpus read with
//! [`read_inputs_moving_texts`], past a bound moved to a temporary file it is read back
//! from as it is needed ([`Text`]); it reads as the same `&str` either way.

mod date;
mod document;
mod folder;
mod jsonl;
#[cfg(feature = "distributed")]
mod parquet;
mod record;
mod text;

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use ahash::AHashMap;

pub use date::parse_date;
pub use document::{Document, DocumentRecord, Origin, Skip, SkipReason, Warning};
pub use record::{FieldValue, Record, read_records, read_records_with};
pub use text::{MAPPED_RESIDENT, MappedTexts, RELEASE_EVERY, Text, TextFile, TextMover, TextSpan};

use crate::error::{Error, Result};

/// The JSON field names to read; each can be overridden from the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldNames {
    /// Unique document id (string or integer). Required.
    pub id: String,
    /// Article text. Required.
    pub text: String,
    /// Publishing outlet. Optional.
    pub source: String,
    /// ISO 8601 date or date-time. Optional.
    pub date: String,
    /// Headline. Optional.
    pub title: String,
    /// Address. Optional.
    pub url: String,
}

impl FieldNames {
    /// The six names in record order: id, text, source, date, title, url.
    pub fn in_order(&self) -> [&str; 6] {
        [
            &self.id,
            &self.text,
            &self.source,
            &self.date,
            &self.title,
            &self.url,
        ]
    }
}

impl Default for FieldNames {
    fn default() -> Self {
        FieldNames {
            id: "id".into(),
            text: "text".into(),
            source: "source".into(),
            date: "date".into(),
            title: "title".into(),
            url: "url".into(),
        }
    }
}

/// How to read a file named directly as an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InputFormat {
    /// `.jsonl`, `.ndjson` and `.json` files are JSON Lines, anything else is one plain-text
    /// document; stdin is JSON Lines.
    #[default]
    Auto,
    /// One JSON object per line.
    Jsonl,
    /// The whole file (or stdin) is one document.
    Text,
}

/// Options for [`read_inputs`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOptions {
    /// JSON field names.
    pub fields: FieldNames,
    /// Format of directly named files and stdin.
    pub format: InputFormat,
    /// Records larger than this many bytes are skipped (and reported).
    pub max_doc_bytes: usize,
    /// Keep each JSON Lines record's original text in [`Document::raw`].
    pub keep_raw: bool,
}

/// Default for [`ReadOptions::max_doc_bytes`]: 64 MiB, far above any real article.
pub const DEFAULT_MAX_DOC_BYTES: usize = 64 << 20;

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            fields: FieldNames::default(),
            format: InputFormat::Auto,
            max_doc_bytes: DEFAULT_MAX_DOC_BYTES,
            keep_raw: false,
        }
    }
}

/// One input: a path (file or folder) or standard input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file or folder.
    Path(PathBuf),
    /// Standard input (written `-` on the command line).
    Stdin,
}

impl From<&str> for Input {
    fn from(s: &str) -> Self {
        if s == "-" {
            Input::Stdin
        } else {
            Input::Path(PathBuf::from(s))
        }
    }
}

/// The documents read, and an account of everything that was not used.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    /// Documents in input order.
    pub documents: Vec<Document>,
    /// Records that were read but skipped, in input order.
    pub skipped: Vec<Skip>,
    /// Kept documents with something odd about them.
    pub warnings: Vec<Warning>,
    /// Files under input folders that are not a known format (not records, listed for the record).
    pub ignored_files: Vec<String>,
}

impl Corpus {
    /// Records read in all: documents kept plus records skipped.
    pub fn records_read(&self) -> usize {
        self.documents.len() + self.skipped.len()
    }
}

/// Reads all inputs, in order, into one corpus.
///
/// Fails only when an input cannot be opened or a read breaks off; bad records are skipped
/// and listed in [`Corpus::skipped`].
pub fn read_inputs(inputs: &[Input], opts: &ReadOptions) -> Result<Corpus> {
    let mut documents = Vec::new();
    let mut corpus = read_inputs_with(inputs, opts, &mut |doc| documents.push(doc))?;
    corpus.documents = documents;
    Ok(corpus)
}

/// [`read_inputs`], with the documents' texts held up to `held_bytes` in all and, past
/// that, moved as they are read into one temporary file in `dir` that they are then read
/// back from ([`Text`], [`TextMover`]): what the corpus holds in memory is then its records
/// without their texts. The documents are the same either way. A folder that cannot take
/// the file, or a disk that fills up, is an [`Error::Output`] naming the folder (after the
/// inputs have been read to their end, the rest without their texts).
pub fn read_inputs_moving_texts(
    inputs: &[Input],
    opts: &ReadOptions,
    dir: &Path,
    held_bytes: usize,
) -> Result<Corpus> {
    let mut mover = TextMover::new(dir, held_bytes);
    let mut corpus = read_inputs_with(inputs, opts, &mut |doc| mover.push(doc))?;
    corpus.documents = mover.finish()?;
    Ok(corpus)
}

/// Reads all inputs, in order, handing each document to `sink` as soon as it is read, so
/// a corpus larger than memory can be processed in one pass. The returned corpus holds
/// the account (skips, warnings, ignored files) and no documents.
pub fn read_inputs_with(
    inputs: &[Input],
    opts: &ReadOptions,
    sink: &mut dyn FnMut(Document),
) -> Result<Corpus> {
    let mut builder = CorpusBuilder::new(opts, sink);
    for input in inputs {
        match input {
            Input::Stdin => {
                let stdin = io::stdin();
                let lock = stdin.lock();
                match opts.format {
                    InputFormat::Text => {
                        let bytes = read_capped(lock, opts.max_doc_bytes).map_err(|source| {
                            Error::Read {
                                path: "<stdin>".into(),
                                line: 1,
                                source,
                            }
                        })?;
                        builder.text_file("-", Origin::file("<stdin>"), bytes);
                    }
                    InputFormat::Auto | InputFormat::Jsonl => {
                        jsonl::read(lock, "<stdin>", &mut builder)?;
                    }
                }
            }
            Input::Path(path) => read_path(path, opts, &mut builder)?,
        }
    }
    Ok(builder.finish())
}

/// Reads JSON Lines from any reader (a file, a socket, a buffer), naming it `name` in skip
/// reports. The same rules as [`read_inputs`] apply.
pub fn read_jsonl(source: impl std::io::Read, name: &str, opts: &ReadOptions) -> Result<Corpus> {
    let mut documents = Vec::new();
    let mut sink = |doc| documents.push(doc);
    let mut builder = CorpusBuilder::new(opts, &mut sink);
    jsonl::read(source, name, &mut builder)?;
    let mut corpus = builder.finish();
    corpus.documents = documents;
    Ok(corpus)
}

fn read_path(path: &Path, opts: &ReadOptions, builder: &mut CorpusBuilder<'_, '_>) -> Result<()> {
    let meta = std::fs::metadata(path).map_err(|source| Error::Input {
        path: path.to_path_buf(),
        source,
    })?;
    if meta.is_dir() {
        return folder::read(path, builder);
    }
    let shown = path.display().to_string();
    if is_parquet_path(path) && !matches!(opts.format, InputFormat::Text) {
        #[cfg(feature = "distributed")]
        return parquet::read(path, builder);
        #[cfg(not(feature = "distributed"))]
        return Err(Error::Config(format!(
            "'{shown}' is Parquet, which needs a wiretrace built with the `distributed` \
             feature (cargo build --release --features distributed)"
        )));
    }
    let is_jsonl = match opts.format {
        InputFormat::Jsonl => true,
        InputFormat::Text => false,
        InputFormat::Auto => is_jsonl_path(path),
    };
    if is_jsonl {
        let file = std::fs::File::open(path).map_err(|source| Error::Input {
            path: path.to_path_buf(),
            source,
        })?;
        jsonl::read(file, &shown, builder)
    } else {
        builder
            .text_file_at(&shown, Origin::file(shown.clone()), path)
            .map_err(|source| Error::Input {
                path: path.to_path_buf(),
                source,
            })
    }
}

/// Reads at most `cap + 1` bytes: enough to tell a document over the cap, and never more,
/// whatever the source (an endless device or pipe included).
pub fn read_capped(source: impl Read, cap: usize) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    source.take(cap as u64 + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}

fn is_parquet_path(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
}

fn is_jsonl_path(path: &Path) -> bool {
    matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("jsonl" | "ndjson" | "json")
    )
}

/// Passes documents on and collects skips while enforcing the corpus-wide rules (unique
/// ids, size cap).
pub(crate) struct CorpusBuilder<'o, 's> {
    opts: &'o ReadOptions,
    corpus: Corpus,
    first_seen: AHashMap<String, Origin>,
    sink: &'s mut dyn FnMut(Document),
}

impl<'o, 's> CorpusBuilder<'o, 's> {
    fn new(opts: &'o ReadOptions, sink: &'s mut dyn FnMut(Document)) -> Self {
        CorpusBuilder {
            opts,
            corpus: Corpus::default(),
            first_seen: AHashMap::new(),
            sink,
        }
    }

    fn finish(self) -> Corpus {
        self.corpus
    }

    pub(crate) fn options(&self) -> &ReadOptions {
        self.opts
    }

    pub(crate) fn skip(&mut self, origin: Origin, id: Option<String>, reason: SkipReason) {
        self.corpus.skipped.push(Skip { origin, id, reason });
    }

    pub(crate) fn warn(&mut self, origin: Origin, message: String) {
        self.corpus.warnings.push(Warning { origin, message });
    }

    pub(crate) fn ignore_file(&mut self, path: String) {
        self.corpus.ignored_files.push(path);
    }

    /// The file at `path` as one document, with `id` as its id. A regular file's size is
    /// checked before reading (too large: skipped unread); a device or FIFO is read as a
    /// stream, no further than the cap. An error opening or reading it is the caller's to
    /// report (a skip under a folder, an error for a file named on the command line).
    pub(crate) fn text_file_at(&mut self, id: &str, origin: Origin, path: &Path) -> io::Result<()> {
        let limit = self.opts.max_doc_bytes;
        let file = std::fs::File::open(path)?;
        let meta = file.metadata()?;
        if meta.is_file() && meta.len() > limit as u64 {
            let reason = SkipReason::TooLarge {
                bytes: usize::try_from(meta.len()).unwrap_or(usize::MAX),
                limit,
                cut: false,
            };
            self.skip(origin, Some(id.to_string()), reason);
            return Ok(());
        }
        let bytes = read_capped(file, limit)?;
        self.text_file(id, origin, bytes);
        Ok(())
    }

    /// A whole file as one document, with `id` as its id.
    pub(crate) fn text_file(&mut self, id: &str, origin: Origin, bytes: Vec<u8>) {
        if bytes.len() > self.opts.max_doc_bytes {
            // Read with `read_capped`: the source may go on; its size is not known.
            let reason = SkipReason::TooLarge {
                bytes: bytes.len(),
                limit: self.opts.max_doc_bytes,
                cut: true,
            };
            return self.skip(origin, Some(id.to_string()), reason);
        }
        match String::from_utf8(bytes) {
            Ok(mut text) => {
                if text.starts_with('\u{feff}') {
                    text.drain(..'\u{feff}'.len_utf8());
                }
                let mut doc = Document::new(id, text);
                doc.origin = origin;
                self.push(doc);
            }
            Err(e) => {
                let bytes = e.as_bytes();
                let at = e.utf8_error().valid_up_to();
                let line = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count();
                let reason = SkipReason::InvalidUtf8 { line, byte: at };
                self.skip(origin, Some(id.to_string()), reason);
            }
        }
    }

    /// Parses the document's `date` (a warning when it is not ISO 8601, the document kept
    /// undated), then [`push`](Self::push)es it.
    pub(crate) fn push_dated(&mut self, mut doc: Document) {
        if let Some(date) = &doc.date {
            doc.timestamp = parse_date(date);
            if doc.timestamp.is_none() && !date.trim().is_empty() {
                let msg = format!("date '{date}' is not ISO 8601; document kept without a date");
                self.warn(doc.origin.clone(), msg);
            }
        }
        self.push(doc);
    }

    /// Adds a parsed document unless it is empty or its id is taken.
    pub(crate) fn push(&mut self, doc: Document) {
        if doc.text.trim().is_empty() {
            return self.skip(doc.origin, Some(doc.id), SkipReason::Empty);
        }
        if let Some(first) = self.first_seen.get(&doc.id) {
            let reason = SkipReason::DuplicateId {
                id: doc.id.clone(),
                first: first.clone(),
            };
            return self.skip(doc.origin, Some(doc.id), reason);
        }
        self.first_seen.insert(doc.id.clone(), doc.origin.clone());
        (self.sink)(doc);
    }
}
