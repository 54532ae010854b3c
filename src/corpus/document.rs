//! The document record and the bookkeeping of what was skipped and why.

use std::fmt;

use serde::Serialize;

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
    #[serde(skip)]
    pub text: String,
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
    #[serde(skip)]
    pub raw: Option<String>,
}

impl Document {
    /// A document with only an id and a text (handy in tests and for library users).
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Self {
        let id = id.into();
        Document {
            origin: Origin::file(id.clone()),
            id,
            text: text.into(),
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
    /// The record is larger than `--max-doc-bytes`.
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
                write!(f, "document is {bytes} bytes, over --max-doc-bytes {limit}")
            }
            SkipReason::TooLarge {
                limit, cut: true, ..
            } => {
                write!(
                    f,
                    "document is over --max-doc-bytes {limit} (read no further)"
                )
            }
            SkipReason::Unreadable(msg) => write!(f, "cannot read: {msg}"),
            SkipReason::AlreadyIndexed { id } => write!(
                f,
                "the index already holds id '{id}' (kept; give --replace to replace it)"
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
