//! The document record and the bookkeeping of what was skipped and why.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::text::Text;

/// Where a record came from: a file (or `<stdin>`) and, for JSON Lines, a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// File path as the user gave it (or as found under a folder), or `<stdin>`.
    pub path: String,
    /// 1-based line number for line-oriented inputs; `None` for whole-file documents.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

impl Origin {
    /// A whole-file origin.
    pub fn file(path: impl Into<String>) -> Self {
        Origin {
            path: path.into(),
            line: None,
        }
    }

    /// A line inside a file.
    pub fn line(path: impl Into<String>, line: usize) -> Self {
        Origin {
            path: path.into(),
            line: Some(line),
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}", self.path, line),
            None => write!(f, "{}", self.path),
        }
    }
}

/// One article of the corpus.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Document {
    /// Unique id: the JSON `id` field, or the path relative to the input folder.
    pub id: String,
    /// The original text, unchanged: every span wiretrace reports points into it.
    /// Held, or read from a temporary file the passage level moved it to ([`Text`]).
    #[serde(skip)]
    pub text: Text,
    /// Publishing outlet, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The date exactly as given in the input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// `date` parsed to seconds since the Unix epoch (UTC); `None` if missing or unparseable.
    #[serde(skip)]
    pub timestamp: Option<i64>,
    /// Headline, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Address, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Where the record was read from.
    #[serde(skip)]
    pub origin: Origin,
    /// The JSON Lines record exactly as read (without its line end), kept only when
    /// [`ReadOptions::keep_raw`](super::ReadOptions::keep_raw) is set: `dedup` writes it back
    /// unchanged, field order and extra fields included.
    /// Held, or moved to a file with the text ([`Text`]).
    #[serde(skip)]
    pub raw: Option<Text>,
}

/// A document as one JSON record, the form wiretrace writes documents in: `id`, `text`,
/// then `source`, `date`, `title` and `url` when known (the fields the readers take under
/// their default names), and, where the index stores documents, where each was read
/// (`origin`, `line`). `dedup` (for documents that were not JSON Lines records), `synth`
/// and the index's segments all write this record, and the index reads it back.
///
/// ```
/// use wiretrace::corpus::{Document, DocumentRecord};
/// let d = Document::new("a1", "Text.").with_source("Xinhua");
/// let line = serde_json::to_string(&DocumentRecord::of(&d)).unwrap();
/// assert_eq!(line, r#"{"id":"a1","text":"Text.","source":"Xinhua"}"#);
/// let back: DocumentRecord = serde_json::from_str(&line).unwrap();
/// assert_eq!(back.into_document().source.as_deref(), Some("Xinhua"));
/// ```
#[derive(Debug, Serialize, Deserialize)]
pub struct DocumentRecord<'a> {
    /// The document id.
    pub id: Cow<'a, str>,
    /// The text.
    pub text: Cow<'a, str>,
    /// Publishing outlet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Cow<'a, str>>,
    /// Date as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Cow<'a, str>>,
    /// Headline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Cow<'a, str>>,
    /// Address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<Cow<'a, str>>,
    /// The file the document was read from (stored by the index).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Cow<'a, str>>,
    /// Its line in that file, for JSON Lines (stored by the index).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

impl<'a> DocumentRecord<'a> {
    /// A record of only an id and a text (fill in the rest with struct update syntax).
    pub fn new(id: &'a str, text: &'a str) -> DocumentRecord<'a> {
        DocumentRecord {
            id: Cow::Borrowed(id),
            text: Cow::Borrowed(text),
            source: None,
            date: None,
            title: None,
            url: None,
            origin: None,
            line: None,
        }
    }

    /// The record of a document, borrowing its fields; without its origin.
    pub fn of(d: &'a Document) -> DocumentRecord<'a> {
        DocumentRecord {
            source: d.source.as_deref().map(Cow::Borrowed),
            date: d.date.as_deref().map(Cow::Borrowed),
            title: d.title.as_deref().map(Cow::Borrowed),
            url: d.url.as_deref().map(Cow::Borrowed),
            ..DocumentRecord::new(&d.id, &d.text)
        }
    }

    /// The record with where the document was read from.
    pub fn with_origin(mut self, origin: &'a Origin) -> DocumentRecord<'a> {
        self.origin = Some(Cow::Borrowed(&origin.path));
        self.line = origin.line;
        self
    }

    /// The document again (its date parsed; the origin as stored, or the id when none is).
    pub fn into_document(self) -> Document {
        let date = self.date.map(Cow::into_owned);
        let id = self.id.into_owned();
        Document {
            timestamp: date.as_deref().and_then(super::parse_date),
            origin: Origin {
                path: self.origin.map_or_else(|| id.clone(), Cow::into_owned),
                line: self.line,
            },
            id,
            text: self.text.into_owned().into(),
            source: self.source.map(Cow::into_owned),
            date,
            title: self.title.map(Cow::into_owned),
            url: self.url.map(Cow::into_owned),
            raw: None,
        }
    }
}

impl Document {
    /// The document without its text (nor its raw record): id, outlet, dates, title,
    /// address and origin, which is all that the direction cues read besides the text.
    pub fn metadata(&self) -> Document {
        Document {
            id: self.id.clone(),
            text: Text::default(),
            source: self.source.clone(),
            date: self.date.clone(),
            timestamp: self.timestamp,
            title: self.title.clone(),
            url: self.url.clone(),
            origin: self.origin.clone(),
            raw: None,
        }
    }

    /// A document with only an id and a text (handy in tests and for library users).
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Self {
        let id = id.into();
        Document {
            origin: Origin::file(id.clone()),
            id,
            text: Text::from(text.into()),
            source: None,
            date: None,
            timestamp: None,
            title: None,
            url: None,
            raw: None,
        }
    }

    /// Sets the date, parsing it as ISO 8601 (see [`parse_date`](super::parse_date)).
    pub fn with_date(mut self, date: &str) -> Self {
        self.timestamp = super::parse_date(date);
        self.date = Some(date.to_string());
        self
    }

    /// Sets the source outlet.
    pub fn with_source(mut self, source: &str) -> Self {
        self.source = Some(source.to_string());
        self
    }

    /// Sets the title (headline).
    pub fn with_title(mut self, title: &str) -> Self {
        self.title = Some(title.to_string());
        self
    }
}

/// Why a record was not turned into a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// The bytes are not UTF-8; `line` is the 1-based line of the first bad byte.
    InvalidUtf8 {
        /// Line of the first invalid byte within the file or record.
        line: usize,
        /// Byte offset of the first invalid byte within the file or record.
        byte: usize,
    },
    /// The text is empty or only white space.
    Empty,
    /// The text has no word or CJK character at all (only punctuation, symbols, emoji).
    NoTokens,
    /// A JSON line does not parse.
    MalformedJson(String),
    /// A JSON line is valid JSON but not an object.
    NotAnObject,
    /// A required field is absent (or `null`).
    MissingField(String),
    /// A field has the wrong JSON type.
    WrongType {
        /// Field name.
        field: String,
        /// What was expected.
        expected: &'static str,
    },
    /// The id was already used by an earlier record, which is kept.
    DuplicateId {
        /// The repeated id.
        id: String,
        /// Where it was first seen.
        first: Origin,
    },
    /// The record is larger than `max_doc_bytes`.
    TooLarge {
        /// Its size.
        bytes: usize,
        /// The limit in force.
        limit: usize,
        /// Reading stopped at the limit, so `bytes` is a lower bound (a device or pipe).
        cut: bool,
    },
    /// A file under an input folder could not be read.
    Unreadable(String),
    /// `index add`: the index already holds a document with this id (give `--replace` to
    /// replace it).
    AlreadyIndexed {
        /// The id.
        id: String,
    },
}

impl SkipReason {
    /// A short, stable name for grouping counts in reports.
    pub fn kind(&self) -> &'static str {
        match self {
            SkipReason::InvalidUtf8 { .. } => "invalid-utf8",
            SkipReason::Empty => "empty",
            SkipReason::NoTokens => "no-tokens",
            SkipReason::MalformedJson(_) => "malformed-json",
            SkipReason::NotAnObject => "not-an-object",
            SkipReason::MissingField(_) => "missing-field",
            SkipReason::WrongType { .. } => "wrong-type",
            SkipReason::DuplicateId { .. } => "duplicate-id",
            SkipReason::TooLarge { .. } => "too-large",
            SkipReason::Unreadable(_) => "unreadable",
            SkipReason::AlreadyIndexed { .. } => "already-indexed",
        }
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::InvalidUtf8 { line, byte } => {
                write!(f, "invalid UTF-8 at line {line} (byte {byte})")
            }
            SkipReason::Empty => write!(f, "empty text"),
            SkipReason::NoTokens => write!(f, "no words in text (only punctuation or symbols)"),
            SkipReason::MalformedJson(msg) => write!(f, "malformed JSON: {msg}"),
            SkipReason::NotAnObject => write!(f, "JSON value is not an object"),
            SkipReason::MissingField(name) => write!(f, "missing field '{name}'"),
            SkipReason::WrongType { field, expected } => {
                write!(f, "field '{field}' is not {expected}")
            }
            SkipReason::DuplicateId { id, first } => {
                write!(
                    f,
                    "duplicate id '{id}' (first seen at {first}, which is kept)"
                )
            }
            SkipReason::TooLarge {
                bytes,
                limit,
                cut: false,
            } => {
                write!(f, "document is {bytes} bytes, over max_doc_bytes {limit}")
            }
            SkipReason::TooLarge {
                limit, cut: true, ..
            } => {
                write!(
                    f,
                    "document is over max_doc_bytes {limit} (read no further)"
                )
            }
            SkipReason::Unreadable(msg) => write!(f, "cannot read: {msg}"),
            SkipReason::AlreadyIndexed { id } => write!(
                f,
                "the index already holds id '{id}' (kept; give `replace` to replace it)"
            ),
        }
    }
}

/// A record that was read but not used, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    /// Where the record was.
    pub origin: Origin,
    /// The record's id, when it was known before the skip.
    pub id: Option<String>,
    /// Why it was skipped.
    pub reason: SkipReason,
}

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.origin, self.reason)
    }
}

/// Something odd about a document that was still kept (e.g. an unparseable date).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Where the record was.
    pub origin: Origin,
    /// What is odd.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.origin, self.message)
    }
}
